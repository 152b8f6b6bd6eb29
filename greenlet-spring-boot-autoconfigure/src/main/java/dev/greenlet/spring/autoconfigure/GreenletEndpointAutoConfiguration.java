package dev.greenlet.spring.autoconfigure;

import dev.greenlet.spring.GreenletHubs;
import dev.greenlet.spring.actuate.GreenletsEndpoint;
import java.util.List;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of the {@code greenlets} endpoint. */
@AutoConfiguration(after = GreenletAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(GreenletHubs.class)
@ConditionalOnAvailableEndpoint(GreenletsEndpoint.class)
public final class GreenletEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    GreenletsEndpoint greenletsEndpoint(GreenletHubs hubs, BeanFactory beanFactory,
            org.springframework.beans.factory.ObjectProvider<dev.greenlet.spring.GreenletObservers> observers) {
        // The application's packages (those of @SpringBootApplication) tell its frames from libraries'.
        List<String> packages = AutoConfigurationPackages.has(beanFactory) ? AutoConfigurationPackages.get(beanFactory)
                : List.of();
        return new GreenletsEndpoint(hubs, packages, observers.getIfAvailable());
    }
}
