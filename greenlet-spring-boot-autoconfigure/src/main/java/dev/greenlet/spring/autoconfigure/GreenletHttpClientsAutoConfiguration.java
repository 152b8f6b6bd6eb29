package dev.greenlet.spring.autoconfigure;

import dev.greenlet.spring.http.CooperativeClientHttpRequestFactory;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.ClientHttpRequestFactory;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for
 * {@code greenlet.monkey.patch-http-clients}: every {@link ClientHttpRequestFactoryBuilder} bean
 * (Boot's, or the application's own) builds {@link CooperativeClientHttpRequestFactory
 * cooperative} request factories, so {@code RestClient.Builder} and {@code RestTemplateBuilder}
 * calls wait cooperatively in greenlets.
 */
@AutoConfiguration
@ConditionalOnClass(ClientHttpRequestFactoryBuilder.class)
@ConditionalOnBooleanProperty(name = GreenletProperties.ENABLED, matchIfMissing = true)
@ConditionalOnBooleanProperty(GreenletProperties.MONKEY_PATCH_HTTP_CLIENTS)
public final class GreenletHttpClientsAutoConfiguration {

    private static final Log logger = LogFactory.getLog(GreenletHttpClientsAutoConfiguration.class);

    @Bean
    @ConditionalOnMissingBean(name = "cooperativeRequestFactoryBuilderPostProcessor")
    static BeanPostProcessor cooperativeRequestFactoryBuilderPostProcessor() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof ClientHttpRequestFactoryBuilder<?> builder && !(bean instanceof CooperativeBuilder)) {
                    logger.info("HTTP clients built by '" + beanName + "' wait cooperatively in greenlets ("
                            + GreenletProperties.MONKEY_PATCH_HTTP_CLIENTS + ")");
                    return new CooperativeBuilder(builder);
                }
                return bean;
            }
        };
    }

    /** Wraps what another builder builds. */
    record CooperativeBuilder(ClientHttpRequestFactoryBuilder<?> delegate)
            implements ClientHttpRequestFactoryBuilder<ClientHttpRequestFactory> {
        @Override
        public ClientHttpRequestFactory build(HttpClientSettings settings) {
            return new CooperativeClientHttpRequestFactory(delegate.build(settings));
        }
    }
}
