package dev.greenlet.spring.autoconfigure;

import dev.greenlet.spring.GreenletHubs;
import dev.greenlet.spring.actuate.GreenletHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/** {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of the hubs' health indicator. */
@AutoConfiguration(after = GreenletAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(GreenletHubs.class)
@ConditionalOnEnabledHealthIndicator("greenlets")
public final class GreenletHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "greenletsHealthIndicator")
    GreenletHealthIndicator greenletsHealthIndicator(GreenletHubs hubs, GreenletProperties properties) {
        return new GreenletHealthIndicator(hubs, properties.getMonitor().getUnhealthyAfter());
    }
}
