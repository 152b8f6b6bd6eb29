package dev.greenlet.spring.autoconfigure;

import dev.greenlet.Hub;
import dev.greenlet.monkey.Monkey;
import dev.greenlet.spring.GreenletAnnotationBeanPostProcessor;
import dev.greenlet.spring.GreenletHubs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.util.ClassUtils;

/**
 * Start-up warnings for the two set-ups in which the permit engine (no
 * {@code greenlet.monkey.patch-all}) misleads: they hold until a load shows it, since nothing
 * fails.
 * <ul>
 * <li>The application has a {@code DataSource}, a Redis connection factory or an HTTP client
 * builder, and greenlets that may use them ({@code @Greenlet} methods, or the hubs as the
 * application task executor): on the permit engine each such call holds its hub until it
 * returns, so the greenlets run those calls one after another. One WARN names the beans and
 * {@code greenlet.monkey.patch-all=true}.</li>
 * <li>{@code greenlet.monkey.patch-socket=true} beside a connection pool: a greenlet that waits
 * for a pooled connection holds its hub, while the greenlet that holds the connection, on the same
 * hub, cannot run to give it back: the application can deadlock for good. One WARN says so and
 * names {@code patch-all}, which makes pool waits cooperative too.</li>
 * </ul>
 * It runs once, when every singleton exists, and reads only bean names and types (no bean is
 * created for it).
 */
class PermitEngineStartupAdvice implements SmartInitializingSingleton, BeanFactoryAware {

    private static final Log logger = LogFactory.getLog(PermitEngineStartupAdvice.class);

    /** Clients whose calls block: by class name, as each may be absent. */
    private static final List<String> BLOCKING_CLIENTS = List.of("javax.sql.DataSource",
            "org.springframework.data.redis.connection.RedisConnectionFactory",
            "org.springframework.web.client.RestClient$Builder", "org.springframework.boot.restclient.RestTemplateBuilder",
            "org.springframework.web.client.RestTemplate", "org.springframework.web.client.RestClient");

    /**
     * Connection pools: a greenlet waiting for one of their connections waits on a lock or
     * condition, which the socket patch leaves blocking. Spring's driver-manager data sources,
     * which open a connection per call, are not pools.
     */
    private static final List<String> POOLS = List.of("javax.sql.DataSource",
            "org.springframework.data.redis.connection.jedis.JedisConnectionFactory",
            "org.apache.commons.pool2.ObjectPool");
    private static final String NOT_A_POOL = "org.springframework.jdbc.datasource.AbstractDriverBasedDataSource";

    private final GreenletHubs hubs;
    private final boolean applicationTaskExecutor;
    private final boolean patchSocket;
    private ListableBeanFactory beanFactory;

    PermitEngineStartupAdvice(GreenletHubs hubs, GreenletProperties properties) {
        this.hubs = hubs;
        this.applicationTaskExecutor = properties.getExecutor().isApplicationTaskExecutor();
        this.patchSocket = properties.getMonkey().isPatchSocket() || Monkey.patched().contains(Monkey.SOCKET);
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = (ListableBeanFactory) beanFactory;
    }

    @Override
    public void afterSingletonsInstantiated() {
        if (hubs.hubs().stream().noneMatch(hub -> hub.engine() == Hub.Engine.PERMIT)) {
            return;
        }
        List<String> users = new ArrayList<>();
        GreenletAnnotationBeanPostProcessor annotations = beanFactory
                .getBeanProvider(GreenletAnnotationBeanPostProcessor.class).getIfAvailable();
        if (annotations != null) {
            annotations.advisedBeanNames().stream().sorted().forEach(name -> users.add("@Greenlet methods of '" + name + "'"));
        }
        if (applicationTaskExecutor) {
            users.add("@Async methods (" + GreenletProperties.EXECUTOR_APPLICATION_TASK_EXECUTOR + "=true)");
        }
        Map<String, String> clients = beans(BLOCKING_CLIENTS);
        if (!users.isEmpty() && !clients.isEmpty()) {
            logger.warn("Greenlets run on the permit engine (" + GreenletProperties.MONKEY_PATCH_ALL + " is off), where a"
                    + " blocking call holds its hub until it returns. " + String.join(", ", users) + " may call "
                    + describe(clients) + ": each such call (a query, a Redis command, an HTTP request) holds the hub,"
                    + " so these greenlets run those calls one after another, not side by side. To let them wait"
                    + " cooperatively, set " + GreenletProperties.MONKEY_PATCH_ALL + "=true (JDK 24+, JVM flag "
                    + CarrierEngineUnavailableFailureAnalyzer.FLAG + "; the README shows where it goes).");
        }
        Map<String, String> pools = beans(POOLS);
        pools.values().removeIf(type -> isA(type, NOT_A_POOL));
        if (patchSocket && !pools.isEmpty()) {
            logger.warn(GreenletProperties.MONKEY_PATCH_SOCKET + "=true beside the connection pool(s) " + describe(pools)
                    + " can deadlock the application for good: on the permit engine a greenlet that waits for a pooled"
                    + " connection holds its hub, and the greenlet that has the connection, on the same hub, cannot run"
                    + " to give it back. Set " + GreenletProperties.MONKEY_PATCH_ALL + "=true instead (the carrier engine,"
                    + " where pool waits, locks and sockets all wait cooperatively; JDK 24+, JVM flag "
                    + CarrierEngineUnavailableFailureAnalyzer.FLAG + "), and remove " + GreenletProperties.MONKEY_PATCH_SOCKET
                    + ".");
        }
    }

    /** The beans of the named types that exist here, name to class name, in a stable order. */
    private Map<String, String> beans(List<String> typeNames) {
        Map<String, String> found = new LinkedHashMap<>();
        ClassLoader loader = getClass().getClassLoader();
        for (String typeName : typeNames) {
            if (!ClassUtils.isPresent(typeName, loader)) {
                continue;
            }
            Class<?> type = ClassUtils.resolveClassName(typeName, loader);
            // Prototypes too (Boot's RestClient.Builder is one); no eager initialisation.
            for (String name : beanFactory.getBeanNamesForType(type, true, false)) {
                Class<?> actual = beanFactory.getType(name, false);
                found.putIfAbsent(name, actual != null ? actual.getName() : type.getName());
            }
        }
        return found;
    }

    private boolean isA(String className, String superName) {
        ClassLoader loader = getClass().getClassLoader();
        if (!ClassUtils.isPresent(superName, loader) || !ClassUtils.isPresent(className, loader)) {
            return false;
        }
        return ClassUtils.resolveClassName(superName, loader).isAssignableFrom(ClassUtils.resolveClassName(className, loader));
    }

    private static String describe(Map<String, String> beans) {
        List<String> parts = new ArrayList<>();
        beans.forEach((name, type) -> parts.add("'" + name + "' (" + ClassUtils.getShortName(type) + ")"));
        return String.join(", ", parts);
    }
}
