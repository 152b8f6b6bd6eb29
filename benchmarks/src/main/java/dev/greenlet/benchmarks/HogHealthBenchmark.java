package dev.greenlet.benchmarks;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The bar of "one CPU-bound request never silences the application": {@code /actuator/health}
 * on the application port during a 10 s CPU loop in one request, beside Boot's virtual threads.
 * A Spring Boot server (Tomcat) runs in a JVM of its own, limited to {@code cores} processors
 * ({@code -XX:ActiveProcessorCount}, 2 by default), once with {@code greenlet.web.enabled} and
 * {@code greenlet.monkey.patch-all} (hub count left at its default, one per processor) and once
 * with {@code spring.threads.virtual.enabled}. This JVM starts {@code GET /spin?ms=10000}, then,
 * until it answers, probes {@code /actuator/health} back to back on a new connection each time
 * (as a load balancer does) while {@code clients} keep-alive connections send {@code GET /ok}
 * in a closed loop. Reported per server: the probes' count, p50, p99 and max latency, and
 * {@code /ok}'s requests per second during the loop.
 *
 * <p>Run: {@code mvn -B -ntp -pl benchmarks -am -DskipTests package exec:exec@hog-health};
 * arguments (in {@code -Dhog.args}): loop seconds (10), cores (2), /ok clients (8), rounds (2).
 */
public final class HogHealthBenchmark {

    private HogHealthBenchmark() {
    }

    /** The server: Boot's auto-configuration (the starter's included), Actuator, and the handlers below. */
    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration(exclude = { DataSourceAutoConfiguration.class, DataRedisAutoConfiguration.class })
    public static class Server {

        @Bean
        Handlers handlers() {
            return new Handlers();
        }

        /** {@code args[0]}: "greenlets" or "virtual-threads"; {@code args[1]}: the port. */
        public static void main(String[] args) {
            Map<String, Object> properties = new LinkedHashMap<>();
            if (args[0].equals("greenlets")) {
                properties.put("greenlet.monkey.patch-all", "true");
                properties.put("greenlet.web.enabled", "true");
            } else {
                properties.put("spring.threads.virtual.enabled", "true");
            }
            properties.put("server.address", "127.0.0.1");
            properties.put("server.port", args[1]);
            properties.put("management.endpoints.web.exposure.include", "health");
            properties.put("server.tomcat.max-keep-alive-requests", "-1"); // the /ok clients keep their connection
            properties.put("spring.jmx.enabled", "false");
            properties.put("logging.level.root", "WARN");
            SpringApplication app = new SpringApplication(Server.class);
            app.setDefaultProperties(properties);
            app.run(args);
        }
    }

    @RestController
    public static class Handlers {

        /** A CPU loop of {@code ms} milliseconds with no cooperative point. */
        @GetMapping("/spin")
        public String spin(@RequestParam long ms) {
            long end = System.nanoTime() + ms * 1_000_000;
            long x = 0;
            while (System.nanoTime() < end) {
                x += System.identityHashCode(this) ^ x;
            }
            return x == 42 ? "spun" : "done";
        }

        @GetMapping("/ok")
        public String ok() {
            return "ok";
        }
    }

    /** {@code down}: probes answered 503, the greenlet health indicator's DOWN for a hub stalled past unhealthy-after. */
    record Result(int probes, int down, double p50Ms, double p99Ms, double maxMs, double okPerSecond) {
    }

    public static void main(String[] args) throws Exception {
        int loopSeconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int cores = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        List<String> rows = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            for (String mode : List.of("greenlets", "virtual-threads")) {
                Result r = runOnce(mode, loopSeconds, cores, clients);
                String row = String.format("round %d %-15s health probes %,6d (%,d DOWN)  p50 %,6.1f ms  p99 %,6.1f ms"
                        + "  max %,7.1f ms  /ok %,8.0f req/s", round, mode, r.probes, r.down, r.p50Ms, r.p99Ms, r.maxMs,
                        r.okPerSecond);
                System.out.println(row);
                rows.add(row);
            }
        }
        System.out.println();
        System.out.println("HogHealthBenchmark: /actuator/health during a " + loopSeconds + " s CPU loop in one request, server on "
                + cores + " processors, " + clients + " /ok clients");
        rows.forEach(System.out::println);
    }

    private static Result runOnce(String mode, int loopSeconds, int cores, int clients) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        Path log = Files.createTempFile("hog-health-" + mode + "-", ".log");
        Process server = new ProcessBuilder(javaCommand, "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-Xss1m",
                "-XX:ActiveProcessorCount=" + cores, "-cp", System.getProperty("java.class.path"),
                Server.class.getName(), mode, String.valueOf(port)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            awaitServer(port, server, log);
            for (int i = 0; i < 500; i++) { // warm up: class loading and JIT on both paths
                WebLoadBenchmark.get(port, "/actuator/health");
                WebLoadBenchmark.get(port, "/ok");
            }
            Thread spin = Thread.ofPlatform().start(() -> {
                try {
                    WebLoadBenchmark.get(port, "/spin?ms=" + loopSeconds * 1000L, (loopSeconds + 120) * 1000);
                } catch (IOException e) {
                    throw new IllegalStateException("the CPU loop's request failed", e);
                }
            });
            Thread.sleep(200); // the loop has its hub (or carrier) now
            AtomicLong oks = new AtomicLong();
            List<Thread> okThreads = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                okThreads.add(Thread.ofPlatform().daemon().start(() -> {
                    try (Socket s = new Socket("127.0.0.1", port)) {
                        s.setSoTimeout(120_000);
                        InputStream in = new BufferedInputStream(s.getInputStream());
                        while (spin.isAlive()) {
                            s.getOutputStream().write(WebLoadBenchmark.request("/ok"));
                            WebLoadBenchmark.readResponse(in);
                            if (spin.isAlive()) {
                                oks.incrementAndGet();
                            }
                        }
                    } catch (IOException e) {
                        throw new IllegalStateException("an /ok client failed", e);
                    }
                }));
            }
            long from = System.nanoTime();
            List<Long> probes = new ArrayList<>();
            int down = 0;
            while (spin.isAlive()) {
                long t0 = System.nanoTime();
                int status = status(port, "/actuator/health");
                long t1 = System.nanoTime();
                if (spin.isAlive()) {
                    probes.add(t1 - t0);
                    if (status == 503) {
                        down++;
                    } else if (status != 200) {
                        throw new IllegalStateException("health answered " + status);
                    }
                }
                Thread.sleep(10);
            }
            double seconds = (System.nanoTime() - from) / 1e9;
            for (Thread t : okThreads) {
                t.join(Duration.ofSeconds(120));
            }
            long[] lat = probes.stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(lat);
            return new Result(lat.length, down, pct(lat, 0.50), pct(lat, 0.99), lat.length == 0 ? 0 : lat[lat.length - 1] / 1e6,
                    oks.get() / seconds);
        } finally {
            server.destroy();
            if (!server.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor();
            }
        }
    }

    /** The status of {@code GET path} on a new connection that the server closes after its answer. */
    private static int status(int port, String path) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String all = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            if (!all.startsWith("HTTP/1.1 ")) {
                throw new IOException("not an HTTP response: " + all);
            }
            return Integer.parseInt(all.substring(9, 12));
        }
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p) - 1)] / 1e6;
    }

    private static void awaitServer(int port, Process server, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            try {
                WebLoadBenchmark.get(port, "/ok");
                return;
            } catch (IOException notYet) {
                if (!server.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the server did not start; its log:\n" + Files.readString(log));
                }
                Thread.sleep(200);
            }
        }
    }
}
