package dev.greenlet.spring.autoconfigure;

import dev.greenlet.spring.GreenletHubs;
import dev.greenlet.spring.actuate.GreenletMetrics;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of the hubs' Micrometer meters. */
@AutoConfiguration(after = GreenletAutoConfiguration.class)
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean(GreenletHubs.class)
public final class GreenletMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    GreenletMetrics greenletMetrics(GreenletHubs hubs,
            org.springframework.beans.factory.ObjectProvider<dev.greenlet.spring.GreenletObservers> observers) {
        return new GreenletMetrics(hubs, observers.getIfAvailable());
    }
}
