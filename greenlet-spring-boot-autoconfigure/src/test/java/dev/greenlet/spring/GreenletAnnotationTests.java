package dev.greenlet.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.Gevent;
import dev.greenlet.Hub;
import dev.greenlet.spring.autoconfigure.GreenletAutoConfiguration;
import dev.greenlet.spring.autoconfigure.GreenletProperties;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;

/** @Greenlet methods: each return type, its failures, and where they run. */
@ExtendWith(OutputCaptureExtension.class)
class GreenletAnnotationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GreenletAutoConfiguration.class, TaskExecutionAutoConfiguration.class))
            .withUserConfiguration(ServiceConfiguration.class);

    /** A service with one method per supported return type, each able to fail. */
    static class Service {
        private final List<String> ran = new CopyOnWriteArrayList<>();

        /** What ran (a method, not the field: callers hold the proxy). */
        public List<String> ran() {
            return ran;
        }

        @Greenlet
        public void fireAndForget(String what) {
            ran.add(what + " in " + (Gevent.getCurrent() != null ? "a greenlet" : "a thread"));
        }

        @Greenlet
        public void failVoid() {
            throw new IllegalStateException("void failed");
        }

        @Greenlet
        public CompletableFuture<String> future(boolean fail) {
            if (fail) {
                throw new IllegalStateException("future failed");
            }
            Gevent.sleep(1);
            return CompletableFuture.completedFuture("cf in " + Gevent.getCurrent().hub().name());
        }

        @Greenlet
        public CompletionStage<String> stage() {
            return CompletableFuture.completedFuture("stage");
        }

        @Greenlet
        public Future<Integer> plainFuture() {
            return CompletableFuture.completedFuture(7);
        }

        @Spawn
        public dev.greenlet.Greenlet<String> handle(boolean fail) {
            if (fail) {
                throw new IllegalArgumentException("handle failed");
            }
            return dev.greenlet.Greenlet.completed("handle");
        }

        @Greenlet
        public CompletableFuture<Void> sleepLong() {
            Gevent.sleep(30_000);
            return CompletableFuture.completedFuture(null);
        }

        @Greenlet("otherHub")
        public CompletableFuture<String> onOtherHub() {
            return CompletableFuture.completedFuture(Gevent.getCurrent().hub().name());
        }

        @Async
        public CompletableFuture<String> async() {
            return CompletableFuture.completedFuture(Gevent.getCurrent() == null ? "async on a thread" : "async in a greenlet");
        }
    }

    static final List<Throwable> FAILURES = new CopyOnWriteArrayList<>();
    static final List<String> FAILED_NAMES = new CopyOnWriteArrayList<>();

    @Configuration(proxyBeanMethods = false)
    @EnableAsync
    static class ServiceConfiguration {
        @Bean
        Service service() {
            return new Service();
        }

        @Bean(destroyMethod = "close")
        Hub otherHub() {
            return new Hub("other");
        }

        /** The hub whose error handler records failures, for the void-method test. */
        @Bean
        Hub greenletHub() {
            Hub hub = new Hub("greenlet");
            hub.setErrorHandler((g, e) -> {
                FAILED_NAMES.add(g.name());
                FAILURES.add(e);
            });
            return hub;
        }
    }

    @Test
    void voidMethodsRunAsGreenletsWithoutWaiting() {
        contextRunner.run(context -> {
            Service service = context.getBean(Service.class);
            service.fireAndForget("x");
            context.getBean("greenletHub", Hub.class).run(() -> Gevent.sleep(1)); // let it run
            assertThat(service.ran()).containsExactly("x in a greenlet");
        });
    }

    /** A void method has no caller to tell: its failure goes to the hub's error handler, as any greenlet's does. */
    @Test
    void voidMethodFailuresGoToTheHubsErrorHandler() {
        FAILURES.clear();
        contextRunner.run(context -> {
            context.getBean(Service.class).failVoid();
            Hub hub = context.getBean("greenletHub", Hub.class);
            hub.run(() -> Gevent.sleep(1));
            assertThat(FAILURES).hasSize(1);
            assertThat(FAILURES.get(0)).isInstanceOf(IllegalStateException.class).hasMessage("void failed");
        });
    }

    @Test
    void completableFutureMethodsDeliverTheValueOrTheFailureThroughTheFuture() {
        contextRunner.run(context -> {
            Service service = context.getBean(Service.class);
            assertThat(service.future(false).get(5, TimeUnit.SECONDS)).isEqualTo("cf in greenlet");
            assertThatThrownBy(() -> service.future(true).get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(IllegalStateException.class).hasRootCauseMessage("future failed");
            assertThat(service.stage().toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("stage");
            assertThat(service.plainFuture().get(5, TimeUnit.SECONDS)).isEqualTo(7);
        });
    }

    /**
     * A future method's failure is in the future and, whether or not the caller looks, counted
     * and reported to the hub's error handler once, by a greenlet named after the method.
     */
    @Test
    void futureMethodFailuresAreAlsoCountedAndReported() {
        FAILURES.clear();
        FAILED_NAMES.clear();
        contextRunner.run(context -> {
            Hub hub = context.getBean("greenletHub", Hub.class);
            CompletableFuture<String> failed = context.getBean(Service.class).future(true);
            assertThatThrownBy(() -> failed.get(5, TimeUnit.SECONDS)).hasRootCauseMessage("future failed");
            // The future completes after the greenlet is counted and reported: no wait needed.
            assertThat(hub.failedCount()).isOne();
            assertThat(FAILURES).singleElement().satisfies(e -> assertThat(e).hasMessage("future failed"));
            assertThat(FAILED_NAMES).containsExactly("Service.future");
        });
    }

    /** With the default handler the failure of a future method is logged, naming the method, unless quieted; counted either way. */
    @Test
    void futureMethodFailuresAreLoggedUnlessQuieted(CapturedOutput output) {
        ApplicationContextRunner runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(GreenletAutoConfiguration.class)).withBean(Service.class);
        runner.run(context -> {
            assertThatThrownBy(() -> context.getBean(Service.class).future(true).get(5, TimeUnit.SECONDS))
                    .hasRootCauseMessage("future failed");
            assertThat(context.getBean(Hub.class).failedCount()).isOne();
        });
        assertThat(output).containsOnlyOnce("\"Service.future\"").contains("failed with java.lang.IllegalStateException: future failed");
        int before = output.length();
        runner.withPropertyValues(GreenletProperties.EXECUTOR_LOG_FUTURE_FAILURES + "=false").run(context -> {
            assertThatThrownBy(() -> context.getBean(Service.class).future(true).get(5, TimeUnit.SECONDS))
                    .hasRootCauseMessage("future failed");
            assertThat(context.getBean(Hub.class).failedCount()).as("counted all the same").isOne();
            context.getBean(Service.class).failVoid(); // not held by a future: still logged
            context.getBean(Hub.class).run(() -> Gevent.sleep(1));
        });
        assertThat(output.toString().substring(before)).doesNotContain("\"Service.future\"")
                .contains("\"Service.failVoid\"");
    }

    @Test
    void greenletHandleMethodsReturnTheGreenletItself() {
        contextRunner.run(context -> {
            Service service = context.getBean(Service.class);
            dev.greenlet.Greenlet<String> ok = service.handle(false);
            assertThat(ok.get()).isEqualTo("handle");
            dev.greenlet.Greenlet<String> failed = service.handle(true);
            failed.join();
            assertThat(failed.exception()).isInstanceOf(IllegalArgumentException.class).hasMessage("handle failed");
        });
    }

    @Test
    void cancellingTheFutureKillsTheGreenlet() {
        contextRunner.run(context -> {
            Service service = context.getBean(Service.class);
            Hub hub = context.getBean("greenletHub", Hub.class);
            CompletableFuture<Void> f = service.sleepLong();
            hub.run(() -> Gevent.sleep(1));
            assertThat(hub.liveCount()).isOne();
            f.cancel(true);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (hub.liveCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(hub.liveCount()).isZero();
            assertThat(hub.killedCount()).isOne();
        });
    }

    @Test
    void theAnnotationPicksAnotherHub() {
        contextRunner.run(context -> assertThat(context.getBean(Service.class).onOtherHub().get(5, TimeUnit.SECONDS))
                .isEqualTo("other"));
    }

    @Test
    void itCoexistsWithAsync() {
        contextRunner.run(context -> assertThat(context.getBean(Service.class).async().get(5, TimeUnit.SECONDS))
                .isEqualTo("async on a thread"));
    }

    /** A method whose caller could not wait for its result fails start-up, naming it. */
    @Test
    void aPlainReturnTypeFailsStartUp() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GreenletAutoConfiguration.class))
                .withBean(BadService.class).run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("BadService.compute()").hasMessageContaining("returns java.lang.String")
                        .hasMessageContaining("Return void, CompletableFuture<T>"));
    }

    static class BadService {
        @Greenlet
        public String compute() {
            return "value";
        }
    }

    /** On a class, every public method runs as a greenlet. */
    @Test
    void onAClassEveryPublicMethodRunsAsAGreenlet() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GreenletAutoConfiguration.class))
                .withBean(ClassLevel.class).run(context -> assertThat(context.getBean(ClassLevel.class).where()
                        .get(5, TimeUnit.SECONDS)).isEqualTo("greenlet"));
    }

    @Greenlet
    static class ClassLevel {
        public CompletableFuture<String> where() {
            return CompletableFuture.completedFuture(Gevent.getCurrent() != null ? "greenlet" : "thread");
        }
    }
}
