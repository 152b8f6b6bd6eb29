package dev.greenlet.benchmarks;

import dev.greenlet.spring.Greenlet;
import dev.greenlet.spring.autoconfigure.GreenletAutoConfiguration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;

/**
 * The cost of one call of a {@code @Greenlet} method returning {@code CompletableFuture}, waited
 * for by the caller, beside an {@code @Async} call on Boot's virtual-thread
 * {@code applicationTaskExecutor} ({@code spring.threads.virtual.enabled=true}): same context,
 * same run. Scores are microseconds per call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class GreenletVsAsyncBenchmark {

    /** A bean with the same trivial method behind each annotation. */
    public static class Service {
        @Greenlet
        public CompletableFuture<Integer> greenlet(int x) {
            return CompletableFuture.completedFuture(x + 1);
        }

        @Async
        public CompletableFuture<Integer> async(int x) {
            return CompletableFuture.completedFuture(x + 1);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAsync
    @ImportAutoConfiguration({ GreenletAutoConfiguration.class, TaskExecutionAutoConfiguration.class })
    public static class Config {
        @Bean
        Service service() {
            return new Service();
        }
    }

    AnnotationConfigApplicationContext context;
    Service service;
    int x;

    @Setup
    public void start() {
        context = new AnnotationConfigApplicationContext();
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("bench",
                Map.of("spring.threads.virtual.enabled", "true", "greenlet.monitor.enabled", "false")));
        context.register(Config.class);
        context.refresh();
        service = context.getBean(Service.class);
    }

    @TearDown
    public void stop() {
        context.close();
    }

    @Benchmark
    public int greenletMethod() {
        return service.greenlet(x++).join();
    }

    @Benchmark
    public int asyncOnVirtualThreads() {
        return service.async(x++).join();
    }
}
