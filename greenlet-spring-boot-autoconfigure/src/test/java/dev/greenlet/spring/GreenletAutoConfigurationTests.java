package dev.greenlet.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.Gevent;
import dev.greenlet.Hub;
import dev.greenlet.diagnostics.HubMonitor;
import dev.greenlet.spring.actuate.GreenletHealthIndicator;
import dev.greenlet.spring.actuate.GreenletMetrics;
import dev.greenlet.spring.actuate.GreenletsEndpoint;
import dev.greenlet.spring.autoconfigure.GreenletAutoConfiguration;
import dev.greenlet.spring.autoconfigure.GreenletEndpointAutoConfiguration;
import dev.greenlet.spring.autoconfigure.GreenletHealthAutoConfiguration;
import dev.greenlet.spring.autoconfigure.GreenletMetricsAutoConfiguration;
import dev.greenlet.spring.autoconfigure.GreenletProperties;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.MDC;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.TaskRejectedException;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Every condition and property of the greenlet auto-configuration. */
@ExtendWith(OutputCaptureExtension.class)
class GreenletAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GreenletAutoConfiguration.class, TaskExecutionAutoConfiguration.class));

    private final ApplicationContextRunner actuatorRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GreenletAutoConfiguration.class, GreenletHealthAutoConfiguration.class,
                    GreenletMetricsAutoConfiguration.class, GreenletEndpointAutoConfiguration.class))
            .withPropertyValues("management.endpoints.web.exposure.include=greenlets");

    @Test
    void defaultsProvideAHubItsLifecycleAnExecutorAndAnnotationSupport() {
        contextRunner.run(context -> {
            assertThat(context).hasSingleBean(Hub.class).hasSingleBean(GreenletHubs.class)
                    .hasBean("greenletTaskExecutor").hasSingleBean(GreenletAnnotationBeanPostProcessor.class);
            GreenletHubs hubs = context.getBean(GreenletHubs.class);
            assertThat(hubs.hubs()).containsExactly(context.getBean(Hub.class));
            assertThat(hubs.hubs().get(0).name()).isEqualTo("greenlet");
            assertThat(hubs.isRunning()).isTrue();
        });
    }

    @Test
    void bootsApplicationTaskExecutorIsKeptByDefault() {
        contextRunner.run(context -> {
            assertThat(context.getBean("applicationTaskExecutor")).isNotInstanceOf(GreenletTaskExecutor.class);
            assertThat(context.getBean("greenletTaskExecutor")).isInstanceOf(GreenletTaskExecutor.class);
        });
    }

    @Test
    void applicationTaskExecutorIsReplacedWhenAsked() {
        contextRunner.withPropertyValues(GreenletProperties.EXECUTOR_APPLICATION_TASK_EXECUTOR + "=true").run(context -> {
            assertThat(context.getBean("applicationTaskExecutor")).isInstanceOf(GreenletTaskExecutor.class);
            assertThat(context.getBean("taskExecutor")).isSameAs(context.getBean("applicationTaskExecutor"));
            assertThat(context.getBeansOfType(ThreadPoolTaskExecutor.class)).isEmpty();
        });
    }

    @Test
    void userDefinedHubWins() {
        contextRunner.withUserConfiguration(UserHubConfiguration.class).run(context -> {
            assertThat(context).hasSingleBean(Hub.class);
            assertThat(context.getBean(Hub.class).name()).isEqualTo("mine");
            assertThat(context.getBean(GreenletHubs.class).hubs()).containsExactly(context.getBean(Hub.class));
        });
    }

    @Test
    void userDefinedExecutorWins() {
        contextRunner.withUserConfiguration(UserExecutorConfiguration.class).run(context -> {
            assertThat(context.getBean("greenletTaskExecutor")).isSameAs(UserExecutorConfiguration.EXECUTOR);
        });
    }

    @Test
    void disabledWithGreenletEnabledFalse() {
        contextRunner.withPropertyValues(GreenletProperties.ENABLED + "=false").run(context -> {
            assertThat(context).doesNotHaveBean(Hub.class).doesNotHaveBean(GreenletHubs.class)
                    .doesNotHaveBean("greenletTaskExecutor");
        });
    }

    @Test
    void hubCountAndNameMakeNumberedHubs() {
        contextRunner.withPropertyValues(GreenletProperties.HUB_COUNT + "=3", GreenletProperties.HUB_NAME + "=worker").run(context -> {
            GreenletHubs hubs = context.getBean(GreenletHubs.class);
            assertThat(hubs.hubs()).extracting(Hub::name).containsExactly("worker-0", "worker-1", "worker-2");
            assertThat(List.of(hubs.next(), hubs.next(), hubs.next())).containsExactlyInAnyOrderElementsOf(hubs.hubs());
        });
    }

    @Test
    void badValuesFailStartUpNamingTheProperty() {
        contextRunner.withPropertyValues(GreenletProperties.HUB_COUNT + "=0").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining(GreenletProperties.HUB_COUNT + " must be at least 1"));
        contextRunner.withPropertyValues(GreenletProperties.SHUTDOWN_TIMEOUT + "=-1s").run(context -> assertThat(context).getFailure()
                .rootCause().hasMessageContaining(GreenletProperties.SHUTDOWN_TIMEOUT + " must not be negative"));
        contextRunner.withPropertyValues(GreenletProperties.MONITOR_MAX_BLOCKING_TIME + "=0ms").run(context -> assertThat(context)
                .getFailure().rootCause().hasMessageContaining(GreenletProperties.MONITOR_MAX_BLOCKING_TIME + " must be positive"));
    }

    @Test
    void monitorIsOnByDefaultAndCanBeTurnedOff() {
        contextRunner.run(context -> {
            Hub hub = context.getBean(Hub.class);
            assertThat(HubMonitor.of(hub)).isNotNull();
            assertThat(HubMonitor.of(hub).maxBlockingTime()).isEqualTo(Duration.ofMillis(100));
        });
        contextRunner.withPropertyValues(GreenletProperties.MONITOR_ENABLED + "=false")
                .run(context -> assertThat(HubMonitor.of(context.getBean(Hub.class))).isNull());
        contextRunner.withPropertyValues(GreenletProperties.MONITOR_MAX_BLOCKING_TIME + "=250ms").run(context -> assertThat(
                HubMonitor.of(context.getBean(Hub.class)).maxBlockingTime()).isEqualTo(Duration.ofMillis(250)));
    }

    @Test
    void executorRunsTasksAsGreenletsAndAppliesTheTaskDecorator() {
        contextRunner.withUserConfiguration(MdcDecoratorConfiguration.class).run(context -> {
            GreenletTaskExecutor executor = context.getBean("greenletTaskExecutor", GreenletTaskExecutor.class);
            MDC.put("request", "r-42");
            try {
                CompletableFuture<String> seen = executor.submitCompletable(
                        () -> (Gevent.getCurrent() != null ? "greenlet " : "thread ") + MDC.get("request"));
                assertThat(seen.get()).isEqualTo("greenlet r-42");
            } finally {
                MDC.remove("request");
            }
        });
    }

    /** Several TaskDecorator beans are all applied, composed in order as Boot's task execution does. */
    @Test
    void executorComposesEveryTaskDecorator() {
        contextRunner.withUserConfiguration(TwoDecoratorsConfiguration.class).run(context -> {
            List<String> ran = new java.util.concurrent.CopyOnWriteArrayList<>();
            TwoDecoratorsConfiguration.ran = ran;
            context.getBean("greenletTaskExecutor", GreenletTaskExecutor.class).submitCompletable(() -> ran.add("task")).get();
            assertThat(ran).containsExactly("second", "first", "task");
        });
    }

    @Test
    void executorRejectsWorkAfterShutdown() {
        contextRunner.run(context -> {
            GreenletTaskExecutor executor = context.getBean("greenletTaskExecutor", GreenletTaskExecutor.class);
            context.getBean(GreenletHubs.class).stop();
            assertThatThrownBy(() -> executor.execute(() -> { })).isInstanceOf(TaskRejectedException.class)
                    .hasMessageContaining("is closed");
        });
    }

    /** A context stopped and started again (or paused and resumed by the test context cache) runs greenlets again. */
    @Test
    void executorAcceptsWorkAgainAfterTheContextIsRestarted() {
        contextRunner.run(context -> {
            GreenletTaskExecutor executor = context.getBean("greenletTaskExecutor", GreenletTaskExecutor.class);
            context.stop();
            assertThatThrownBy(() -> executor.execute(() -> { })).isInstanceOf(TaskRejectedException.class);
            context.start();
            assertThat(executor.submitCompletable(() -> "again").get()).isEqualTo("again");
            assertThat(HubMonitor.of(context.getBean(Hub.class))).as("the monitor runs again").isNotNull();
        });
    }

    /** Graceful shutdown waits for a greenlet that finishes in time. */
    @Test
    void shutdownWaitsForARunningGreenlet() {
        CompletableFuture<?>[] task = new CompletableFuture<?>[1];
        contextRunner.withPropertyValues(GreenletProperties.SHUTDOWN_TIMEOUT + "=5s").run(context -> {
            GreenletTaskExecutor executor = context.getBean("greenletTaskExecutor", GreenletTaskExecutor.class);
            task[0] = executor.submitCompletable(() -> {
                Gevent.sleep(200);
                return "finished";
            });
        });
        assertThat(task[0].getNow(null)).isEqualTo("finished");
    }

    /** Graceful shutdown kills a greenlet that outlives the timeout, and logs it once, with the reason. */
    @Test
    void shutdownKillsAGreenletThatOutlivesTheTimeout(CapturedOutput output) {
        CompletableFuture<?>[] task = new CompletableFuture<?>[1];
        try (LogRecords coreLog = new LogRecords()) {
            contextRunner.withPropertyValues(GreenletProperties.SHUTDOWN_TIMEOUT + "=100ms").run(context -> {
                Hub hub = context.getBean(Hub.class);
                task[0] = hub.spawn(() -> Gevent.sleep(Duration.ofSeconds(30))).setName("stubborn").toCompletableFuture();
            });
            assertThat(task[0]).isCancelled();
            assertThat(output).containsOnlyOnce("stubborn").contains("Hub 'greenlet' closed; killed 1 greenlet(s) still"
                    + " running 100 ms after shutdown began (" + GreenletProperties.SHUTDOWN_TIMEOUT + ")");
            assertThat(coreLog.text()).as("the core's own line is not logged besides").doesNotContain("stubborn");
        }
    }

    /**
     * While the context runs, its first hub is the default hub: Gevent.spawn from a plain thread
     * (a request thread) lands there; once the context stops, the default is no longer it.
     */
    @Test
    void gevenSpawnFromAPlainThreadUsesTheStartersHubWhileTheContextRuns() {
        Hub[] starters = new Hub[1];
        contextRunner.run(context -> {
            starters[0] = context.getBean(Hub.class);
            dev.greenlet.Greenlet<String> g = Gevent.spawn(() -> Gevent.getCurrent().hub().name());
            assertThat(g.get()).isEqualTo("greenlet");
            assertThat(g.hub()).isSameAs(starters[0]);
            assertThat(Hub.getDefault()).isSameAs(starters[0]);
        });
        assertThat(Hub.getDefault()).isNotSameAs(starters[0]);
        assertThat(starters[0].isClosed()).isTrue();
    }

    @Test
    void actuatorPartsArePresentWithActuator() {
        actuatorRunner.run(context -> {
            assertThat(context).hasSingleBean(GreenletHealthIndicator.class).hasSingleBean(GreenletMetrics.class)
                    .hasSingleBean(GreenletsEndpoint.class);
            Health health = context.getBean(GreenletHealthIndicator.class).health(true);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsKey("greenlet");
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            context.getBean(GreenletMetrics.class).bindTo(registry);
            context.getBean(Hub.class).run(() -> Gevent.sleep(0));
            assertThat(registry.get("greenlet.spawned").tag("hub", "greenlet").functionCounter().count()).isGreaterThanOrEqualTo(1);
            assertThat(registry.get("greenlet.turn.wait").functionTimer().count()).isGreaterThanOrEqualTo(1);
            assertThat(registry.find("greenlet.live").gauge()).isNotNull();
            GreenletsEndpoint.HubsDescriptor described = context.getBean(GreenletsEndpoint.class).greenlets(null);
            assertThat(described.hubs()).extracting(GreenletsEndpoint.HubDescriptor::name).containsExactly("greenlet");
        });
    }

    /**
     * 200 greenlets waiting in the same call read as one group with their count; the answer is
     * bounded by the limit, and live is the sum of what is shown and what is omitted.
     */
    @Test
    void greenletsEndpointGroupsSameStacksAndIsBounded() {
        actuatorRunner.run(context -> {
            Hub hub = context.getBean(Hub.class);
            dev.greenlet.event.Event release = new dev.greenlet.event.Event();
            List<dev.greenlet.Greenlet<?>> waiters = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                waiters.add(hub.spawn(() -> release.await()).setName("waiter-" + i));
            }
            dev.greenlet.Greenlet<?> sleeper = hub.spawn(() -> Gevent.sleep(Duration.ofSeconds(30))).setName("sleeper");
            hub.run(() -> Gevent.sleep(1)); // every greenlet reached its wait: the hub went idle once
            try {
                GreenletsEndpoint endpoint = context.getBean(GreenletsEndpoint.class);
                GreenletsEndpoint.HubDescriptor all = endpoint.greenlets(null).hubs().get(0);
                assertThat(all.live()).isEqualTo(201);
                assertThat(all.groups()).hasSize(2);
                assertThat(all.omitted()).isZero();
                GreenletsEndpoint.GroupDescriptor largest = all.groups().get(0);
                assertThat(largest.count()).isEqualTo(200);
                assertThat(largest.state()).isEqualTo("WAITING");
                assertThat(largest.names()).hasSize(GreenletsEndpoint.MAX_NAMES + 1)
                        .containsEntry(GreenletsEndpoint.OTHER_NAMES, 200 - GreenletsEndpoint.MAX_NAMES);
                assertThat(largest.stack()).isNotEmpty().hasSizeLessThanOrEqualTo(GreenletsEndpoint.MAX_FRAMES);
                assertThat(all.groups().get(1).names()).containsExactly(Map.entry("sleeper", 1));

                GreenletsEndpoint.HubDescriptor one = endpoint.greenlets(1).hubs().get(0);
                assertThat(one.groups()).hasSize(1);
                assertThat(one.live()).isEqualTo(one.groups().get(0).count() + one.omitted()).isEqualTo(201);
                assertThatThrownBy(() -> endpoint.greenlets(0)).hasMessageContaining("limit must be between 1");
            } finally {
                hub.run(release::set);
                sleeper.kill();
                Gevent.joinall(waiters);
            }
        });
    }

    @Test
    void actuatorPartsAreAbsentWithoutActuator() {
        actuatorRunner.withClassLoader(new FilteredClassLoader(HealthIndicator.class, MeterBinder.class, Endpoint.class))
                .run(context -> assertThat(context).hasSingleBean(GreenletHubs.class)
                        .doesNotHaveBean(GreenletHealthIndicator.class).doesNotHaveBean(GreenletMetrics.class)
                        .doesNotHaveBean(GreenletsEndpoint.class));
    }

    /** A hub blocked past greenlet.monitor.unhealthy-after is down, and the detail names the culprit. */
    @Test
    void healthIsDownWhileAGreenletBlocksAHub() {
        actuatorRunner.withPropertyValues(GreenletProperties.MONITOR_MAX_BLOCKING_TIME + "=20ms",
                GreenletProperties.MONITOR_UNHEALTHY_AFTER + "=100ms")
                .run(context -> {
                    Hub hub = context.getBean(Hub.class);
                    HubMonitor.of(hub).removeListener(dev.greenlet.diagnostics.HubMonitor.LOGGING);
                    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
                    var blocker = hub.spawn(() -> {
                        release.await(); // not cooperative on the permit engine: holds the hub until released
                        return null;
                    }).setName("sleeper");
                    try {
                        GreenletHealthIndicator indicator = context.getBean(GreenletHealthIndicator.class);
                        long end = System.nanoTime() + 10_000_000_000L;
                        Health health = indicator.health(true);
                        while (health.getStatus() != Status.DOWN && System.nanoTime() < end) {
                            Thread.sleep(5);
                            health = indicator.health(true);
                        }
                        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                        assertThat(health.getDetails().get("greenlet")).asString().contains("blockedBy=sleeper");
                    } finally {
                        release.countDown();
                    }
                    blocker.join();
                });
    }

    /**
     * As resilience4j does: every bean of every auto-configuration listed in
     * {@code AutoConfiguration.imports} (and of the configurations it imports) lets a
     * user-defined one win.
     */
    @Test
    void everyAutoConfiguredBeanBacksOffForAUserBean() throws Exception {
        List<String> imports = ImportCandidates.load(AutoConfiguration.class, getClass().getClassLoader()).getCandidates()
                .stream().filter(name -> name.startsWith("dev.greenlet.")).toList();
        assertThat(imports).as("AutoConfiguration.imports").isNotEmpty();
        List<Class<?>> configurations = new java.util.ArrayList<>();
        for (String name : imports) {
            Class<?> autoConfiguration = Class.forName(name);
            configurations.add(autoConfiguration);
            Import imported = autoConfiguration.getAnnotation(Import.class);
            if (imported != null) {
                configurations.addAll(List.of(imported.value()));
            }
        }
        int beans = 0;
        for (Class<?> c : configurations) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.isAnnotationPresent(Bean.class)) {
                    beans++;
                    assertThat(m.isAnnotationPresent(ConditionalOnMissingBean.class))
                            .as("%s.%s has @ConditionalOnMissingBean", c.getSimpleName(), m.getName()).isTrue();
                }
            }
        }
        assertThat(beans).isGreaterThanOrEqualTo(9);
    }

    /** The configuration processor emits IDE metadata for every greenlet.* property, with a description, and each has its name constant. */
    @Test
    void metadataDescribesEveryProperty() throws Exception {
        JsonNode metadata;
        try (var in = new ClassPathResource("META-INF/spring-configuration-metadata.json").getInputStream()) {
            metadata = JsonMapper.builder().build().readTree(in);
        }
        Map<String, String> descriptions = new java.util.TreeMap<>();
        for (JsonNode p : metadata.get("properties")) {
            if (p.get("name").asString().startsWith("greenlet.")) {
                descriptions.put(p.get("name").asString(), p.has("description") ? p.get("description").asString() : "");
            }
        }
        List<String> constants = new java.util.ArrayList<>();
        for (java.lang.reflect.Field f : GreenletProperties.class.getFields()) {
            if (f.getType() == String.class && java.lang.reflect.Modifier.isStatic(f.getModifiers())
                    && !f.getName().equals("PREFIX")) {
                constants.add((String) f.get(null));
            }
        }
        assertThat(descriptions.keySet()).as("the properties bound, against the names GreenletProperties spells")
                .containsExactlyInAnyOrderElementsOf(constants);
        assertThat(descriptions.values()).allSatisfy(d -> assertThat(d).isNotBlank().doesNotStartWith("The "));
    }

    @Configuration(proxyBeanMethods = false)
    static class UserHubConfiguration {
        @Bean
        Hub myHub() {
            return new Hub("mine");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserExecutorConfiguration {
        static final Executor EXECUTOR = Runnable::run;

        @Bean
        Executor greenletTaskExecutor() {
            return EXECUTOR;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoDecoratorsConfiguration {
        static volatile List<String> ran;

        @Bean
        @org.springframework.core.annotation.Order(1)
        TaskDecorator first() {
            return task -> () -> {
                ran.add("first");
                task.run();
            };
        }

        @Bean
        @org.springframework.core.annotation.Order(2)
        TaskDecorator second() {
            return task -> () -> {
                ran.add("second");
                task.run();
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class MdcDecoratorConfiguration {
        /** The usual MDC-copying decorator: captured on the submitting thread, restored in the task. */
        @Bean
        TaskDecorator mdcDecorator() {
            return task -> {
                Map<String, String> context = MDC.getCopyOfContextMap();
                return () -> {
                    Map<String, String> previous = MDC.getCopyOfContextMap();
                    MDC.setContextMap(context == null ? Map.of() : context);
                    try {
                        task.run();
                    } finally {
                        MDC.setContextMap(previous == null ? Map.of() : previous);
                    }
                };
            };
        }
    }
}
