package dev.greenlet.spring.autoconfigure;

import dev.greenlet.spring.GreenletHubs;
import dev.greenlet.spring.web.GreenletRequestExecutor;
import dev.greenlet.spring.web.RequestGreenletFilter;
import jakarta.servlet.DispatcherType;
import java.util.List;
import org.apache.tomcat.util.threads.VirtualThreadExecutor;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ThreadPool;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.jetty.JettyWebServerFactory;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.Shutdown;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for
 * requests as greenlets ({@code greenlet.web.enabled=true}). The embedded Tomcat or Jetty serves
 * connections on plain virtual threads, as Boot's {@code spring.threads.virtual.enabled} makes it
 * do (whether or not that is set); a {@link RequestGreenletFilter}, the first filter, then decides
 * per request: one whose path matches {@code greenlet.web.excluded-paths} (the Actuator's, by
 * default) stays on its virtual thread, so health and probes answer while a hub is held; every
 * other request runs as a greenlet, named after it, on the hub picked at that moment, through the
 * {@link GreenletRequestExecutor}. It needs the carrier engine
 * ({@code greenlet.monkey.patch-all=true}); start-up fails without it.
 *
 * <p>Tomcat's acceptor and poller, and Jetty's acceptors and selectors, stay platform threads,
 * so a busy hub never keeps the server from accepting connections. A management server on a port
 * of its own keeps its own threads.
 */
@AutoConfiguration(after = GreenletAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ jakarta.servlet.Filter.class, WebServerFactoryCustomizer.class })
@ConditionalOnBooleanProperty(name = GreenletProperties.ENABLED, matchIfMissing = true)
@ConditionalOnBooleanProperty(GreenletProperties.WEB_ENABLED)
@ConditionalOnBean(GreenletHubs.class)
public final class GreenletWebServerAutoConfiguration {

    /** The executor's bean name: it is not a default candidate, so it is injected by name. */
    static final String REQUEST_EXECUTOR = "greenletRequestExecutor";

    /** Not a default candidate: an injectable {@code Executor} would make Boot's applicationTaskExecutor back off. */
    @Bean(name = REQUEST_EXECUTOR, defaultCandidate = false)
    @ConditionalOnMissingBean(name = REQUEST_EXECUTOR)
    GreenletRequestExecutor greenletRequestExecutor(GreenletHubs hubs, Environment environment) {
        boolean graceful = environment.getProperty("server.shutdown", Shutdown.class, Shutdown.GRACEFUL)
                == Shutdown.GRACEFUL;
        return new GreenletRequestExecutor(hubs, graceful);
    }

    @Bean
    @ConditionalOnMissingBean(name = "requestGreenletFilter")
    FilterRegistrationBean<RequestGreenletFilter> requestGreenletFilter(
            @Qualifier(REQUEST_EXECUTOR) GreenletRequestExecutor executor, GreenletProperties properties,
            Environment environment) {
        List<String> excluded = properties.getWeb().getExcludedPaths();
        if (excluded == null) {
            excluded = RequestGreenletFilter.defaultExcludedPaths(
                    environment.getProperty("management.endpoints.web.base-path", "/actuator"));
        }
        FilterRegistrationBean<RequestGreenletFilter> registration = new FilterRegistrationBean<>(
                new RequestGreenletFilter(executor, excluded));
        registration.setName("requestGreenletFilter");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
        return registration;
    }

    /**
     * Names each request's greenlet after its path template once the handler is chosen
     * ({@code "GET /orders/{id}"}), for the timeline and "who holds the hub".
     */
    @Bean
    @ConditionalOnMissingBean(name = "requestPatternNamer")
    org.springframework.boot.web.servlet.ServletListenerRegistrationBean<dev.greenlet.spring.web.RequestPatternNamer> requestPatternNamer() {
        return new org.springframework.boot.web.servlet.ServletListenerRegistrationBean<>(
                new dev.greenlet.spring.web.RequestPatternNamer());
    }

    /** Tomcat: the protocol handler's executor, which runs each socket's processing, on virtual threads (as Boot's). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ org.apache.catalina.startup.Tomcat.class, ConfigurableTomcatWebServerFactory.class })
    static class TomcatConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "greenletTomcatCustomizer")
        WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> greenletTomcatCustomizer() {
            return new OrderedCustomizer<>() {
                @Override
                public void customize(ConfigurableTomcatWebServerFactory factory) {
                    factory.addProtocolHandlerCustomizers(
                            handler -> handler.setExecutor(new VirtualThreadExecutor("tomcat-handler-")));
                }
            };
        }
    }

    /**
     * Jetty: a {@link QueuedThreadPool} of platform threads for acceptors and selectors, whose
     * virtual-threads executor, which Jetty hands its blocking work (the servlet's request
     * handling), makes plain virtual threads.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ org.eclipse.jetty.server.Server.class, JettyWebServerFactory.class })
    static class JettyConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "greenletJettyCustomizer")
        WebServerFactoryCustomizer<JettyWebServerFactory> greenletJettyCustomizer() {
            return new OrderedCustomizer<>() {
                @Override
                public void customize(JettyWebServerFactory factory) {
                    ThreadPool pool = factory.getThreadPool();
                    QueuedThreadPool queued = pool instanceof QueuedThreadPool q ? q : new QueuedThreadPool();
                    queued.setVirtualThreadsExecutor(VirtualThreads.getNamedVirtualThreadsExecutor("jetty-request-"));
                    factory.setThreadPool(queued);
                }
            };
        }
    }

    /** Runs after Boot's own customizers (its virtual-threads one among them), so its thread setup is the one used. */
    private abstract static class OrderedCustomizer<T extends org.springframework.boot.web.server.WebServerFactory>
            implements WebServerFactoryCustomizer<T>, Ordered {

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
