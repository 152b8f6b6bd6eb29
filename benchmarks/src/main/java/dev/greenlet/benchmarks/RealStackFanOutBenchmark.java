package dev.greenlet.benchmarks;

import dev.greenlet.Hub;
import dev.greenlet.spring.Greenlet;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * Fan-outs through a real Spring Boot stack, as a user writes it: an application with the
 * starter and {@code greenlet.monkey.patch-all=true} (so its hub runs on the carrier engine),
 * {@code spring.threads.virtual.enabled=true} and {@code @EnableAsync}, whose beans run each
 * blocking call from a {@code @Greenlet} method returning {@code CompletableFuture} and, the
 * baseline, from the same method under {@code @Async} on Boot's virtual-thread
 * {@code applicationTaskExecutor}. Each benchmark method starts all its calls at once from the
 * benchmark thread and waits for the last:
 * <ul>
 * <li>{@code jdbc*}: 100 {@code JdbcTemplate} queries {@code select 1 from pg_sleep(0.05)} over
 * Boot's HikariCP pool of 10, against PostgreSQL at {@code jdbc:postgresql://127.0.0.1:5432/test}
 * (user {@code postgres}). At least 10 x 50 ms.</li>
 * <li>{@code redis*}: 50 {@code StringRedisTemplate} BLPOPs of 1 s on empty keys, with Boot's
 * default client, Lettuce (no pool: each blocking pop takes a dedicated connection), against
 * Redis at 127.0.0.1:6379. Spring Data Redis sends BLPOP's timeout in whole seconds, rounded up,
 * so 1 s is also what a shorter timeout would wait. At least 1 s.</li>
 * <li>{@code http*}: 200 {@code RestClient} GETs (Boot's builder, the JDK HttpClient, no
 * cooperative wrapper) of an endpoint of the same application, on Tomcat at a random port, that
 * answers after 100 ms ({@code Thread.sleep} on Tomcat's virtual threads, not in greenlets;
 * Tomcat's listen backlog raised to 1,000 so that 200 connects at once are not dropped). At
 * least 100 ms.</li>
 * </ul>
 * Scores are milliseconds per fan-out, one fan-out per iteration ({@code SingleShotTime}).
 * Baseline: the {@code *Async} method of each pair. Bar (issue 9): each {@code *Greenlets} method
 * at most 1.2 times its {@code *Async} method.
 *
 * <p>JMH runs each method in a JVM of its own, started with the same options: the context,
 * started once per fork, applies the patch JVM-wide, so the {@code @Async} side runs in a patched
 * JVM too, as it would in such an application. The forked JVMs get
 * {@code --add-opens java.base/java.lang=ALL-UNNAMED}, which {@code patch-all} needs (with JDK
 * 24+). A call that fails fails the benchmark, and so does a fan-out that has not ended after 60
 * s (a hang, not a slow score). Setup fails, naming the server and how to start it, unless
 * PostgreSQL and Redis accept connections; the connection settings are default properties, so a
 * system property overrides them (for example
 * {@code -jvmArgsAppend -Dspring.datasource.password=...}).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class RealStackFanOutBenchmark {

    static final int QUERIES = 100;
    static final String QUERY = "select 1 from pg_sleep(0.05)";
    static final int POPS = 50;
    static final Duration POP_TIMEOUT = Duration.ofSeconds(1);
    static final int GETS = 200;
    static final int GET_DELAY_MS = 100;
    /** How long a fan-out may take before it counts as a hang. */
    static final Duration HANG = Duration.ofSeconds(60);

    /**
     * The application: Boot's auto-configuration (the starter's included) and the beans below,
     * registered one by one rather than scanned, so that nothing else of this package joins it.
     */
    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @EnableAsync
    public static class App {
        @Bean
        Queries queries(JdbcTemplate jdbc) {
            return new Queries(jdbc);
        }

        @Bean
        Pops pops(StringRedisTemplate redis) {
            return new Pops(redis);
        }

        @Bean
        Calls calls(RestClient.Builder builder) {
            return new Calls(builder.build());
        }

        @Bean
        SlowController slowController() {
            return new SlowController();
        }

        @Bean
        Probe probe() {
            return new Probe();
        }
    }

    /** JDBC: one query per call, through Boot's JdbcTemplate over its HikariCP pool. */
    public static class Queries {
        private final JdbcTemplate jdbc;

        Queries(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        @Greenlet
        public CompletableFuture<Integer> queryInGreenlet(String sql) {
            return CompletableFuture.completedFuture(jdbc.queryForObject(sql, Integer.class));
        }

        @Async
        public CompletableFuture<Integer> queryAsync(String sql) {
            return CompletableFuture.completedFuture(jdbc.queryForObject(sql, Integer.class));
        }
    }

    /** Redis: one blocking pop per call, through Boot's StringRedisTemplate. */
    public static class Pops {
        private final StringRedisTemplate redis;

        Pops(StringRedisTemplate redis) {
            this.redis = redis;
        }

        @Greenlet
        public CompletableFuture<String> popInGreenlet(String key, Duration timeout) {
            return CompletableFuture.completedFuture(redis.opsForList().leftPop(key, timeout));
        }

        @Async
        public CompletableFuture<String> popAsync(String key, Duration timeout) {
            return CompletableFuture.completedFuture(redis.opsForList().leftPop(key, timeout));
        }
    }

    /** HTTP: one GET per call, through a RestClient from Boot's builder. */
    public static class Calls {
        private final RestClient client;

        Calls(RestClient client) {
            this.client = client;
        }

        @Greenlet
        public CompletableFuture<String> getInGreenlet(String url) {
            return CompletableFuture.completedFuture(client.get().uri(url).retrieve().body(String.class));
        }

        @Async
        public CompletableFuture<String> getAsync(String url) {
            return CompletableFuture.completedFuture(client.get().uri(url).retrieve().body(String.class));
        }
    }

    /** The endpoint the HTTP calls go to: answers "ok" after {@code ms}. */
    @RestController
    public static class SlowController {
        @GetMapping("/slow")
        public String slow(@RequestParam("ms") long ms) throws InterruptedException {
            Thread.sleep(ms); // on Tomcat's virtual threads, not in a greenlet
            return "ok";
        }
    }

    /** Where each kind of method runs, checked once at setup. */
    public static class Probe {
        @Greenlet
        public CompletableFuture<Hub.Engine> greenletEngine() {
            return CompletableFuture.completedFuture(Hub.current().engine());
        }

        @Async
        public CompletableFuture<Boolean> asyncOnVirtualThread() {
            return CompletableFuture.completedFuture(Thread.currentThread().isVirtual());
        }
    }

    ConfigurableApplicationContext context;
    Queries queries;
    Pops pops;
    Calls calls;
    String slowUrl;
    String keyPrefix;

    @Setup(Level.Trial)
    public void start() throws Exception {
        require("PostgreSQL", 5432, "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start");
        require("Redis", 6379, "redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save \"\" --appendonly no");
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("greenlet.monkey.patch-all", "true");
        properties.put("spring.threads.virtual.enabled", "true");
        properties.put("spring.datasource.url", "jdbc:postgresql://127.0.0.1:5432/test");
        properties.put("spring.datasource.username", "postgres");
        properties.put("spring.datasource.hikari.maximum-pool-size", "10");
        properties.put("spring.data.redis.host", "127.0.0.1");
        properties.put("spring.data.redis.port", "6379");
        properties.put("spring.data.redis.repositories.enabled", "false");
        properties.put("server.address", "127.0.0.1");
        properties.put("server.port", "0");
        // 200 connects at once against Tomcat's default listen backlog of 100 could drop SYNs,
        // which the client retries after 1 s: that would time the kernel, on both sides alike.
        properties.put("server.tomcat.accept-count", "1000");
        properties.put("logging.level.root", "WARN");
        SpringApplication app = new SpringApplication(App.class);
        app.setDefaultProperties(properties);
        app.setBannerMode(Banner.Mode.OFF);
        context = app.run();

        Probe probe = context.getBean(Probe.class);
        Hub.Engine engine = probe.greenletEngine().get(30, TimeUnit.SECONDS);
        if (engine != Hub.Engine.CARRIER) {
            throw new IllegalStateException("@Greenlet methods run on the " + engine
                    + " engine, not the carrier engine that greenlet.monkey.patch-all selects");
        }
        if (!probe.asyncOnVirtualThread().get(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("@Async methods do not run on virtual threads: spring.threads.virtual.enabled"
                    + " did not reach Boot's applicationTaskExecutor");
        }
        if (!(context instanceof WebServerApplicationContext web)) {
            throw new IllegalStateException("the application is not a web application: " + context.getClass().getName());
        }
        slowUrl = "http://127.0.0.1:" + web.getWebServer().getPort() + "/slow?ms=" + GET_DELAY_MS;
        queries = context.getBean(Queries.class);
        pops = context.getBean(Pops.class);
        calls = context.getBean(Calls.class);
        keyPrefix = "greenlet-bench-empty-" + System.nanoTime() + "-";
    }

    @TearDown(Level.Trial)
    public void stop() {
        if (context != null) {
            context.close();
        }
    }

    @Benchmark
    public int jdbcGreenlets() throws Exception {
        return fanOut(QUERIES, i -> queries.queryInGreenlet(QUERY), 1);
    }

    @Benchmark
    public int jdbcAsync() throws Exception {
        return fanOut(QUERIES, i -> queries.queryAsync(QUERY), 1);
    }

    @Benchmark
    public int redisGreenlets() throws Exception {
        return fanOut(POPS, i -> pops.popInGreenlet(keyPrefix + i, POP_TIMEOUT), null);
    }

    @Benchmark
    public int redisAsync() throws Exception {
        return fanOut(POPS, i -> pops.popAsync(keyPrefix + i, POP_TIMEOUT), null);
    }

    @Benchmark
    public int httpGreenlets() throws Exception {
        return fanOut(GETS, i -> calls.getInGreenlet(slowUrl), "ok");
    }

    @Benchmark
    public int httpAsync() throws Exception {
        return fanOut(GETS, i -> calls.getAsync(slowUrl), "ok");
    }

    /**
     * Starts {@code n} calls at once, waits for all of them (at most {@link #HANG}) and checks
     * that each returned {@code expected}; returns {@code n}. A failed call rethrows its
     * exception; a fan-out still running after {@link #HANG} throws, saying how many calls
     * ended.
     */
    static <T> int fanOut(int n, IntFunction<CompletableFuture<T>> call, T expected) throws Exception {
        List<CompletableFuture<T>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            futures.add(call.apply(i));
        }
        try {
            CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(HANG.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            long done = futures.stream().filter(CompletableFuture::isDone).count();
            throw new IllegalStateException("only " + done + " of " + n + " calls ended within " + HANG + ": the others hang", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        for (CompletableFuture<T> f : futures) {
            T result = f.join();
            if (!Objects.equals(result, expected)) {
                throw new IllegalStateException("a call returned " + result + ", not " + expected);
            }
        }
        return n;
    }

    /** Fails, naming the server, its address and how to start it, unless it accepts connections. */
    static void require(String server, int port, String howToStart) {
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        } catch (IOException e) {
            throw new IllegalStateException(server + " is not reachable on 127.0.0.1:" + port + " (" + e
                    + "); start it with: " + howToStart, e);
        }
    }
}
