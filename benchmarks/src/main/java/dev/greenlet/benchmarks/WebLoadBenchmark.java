package dev.greenlet.benchmarks;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Requests as greenlets under load, beside Boot's virtual threads in the same run: a Spring Boot
 * server (Tomcat) in a JVM of its own, with {@code greenlet.web.enabled} and
 * {@code greenlet.monkey.patch-all} on one hub (the default) and on one hub per core (as many
 * carriers as Boot's virtual threads get), and with {@code spring.threads.virtual.enabled}; the
 * load generator runs in this JVM, on loopback.
 *
 * <ul>
 * <li>Throughput and latency: {@code concurrency} connections (10,000 by default), each sending
 * {@code GET /work} again as soon as the last answer arrived (a closed loop, HTTP/1.1 keep-alive),
 * for a warm-up and then a measured window. Each request sleeps 100 ms and then makes one JDBC
 * query through Boot's HikariCP pool (PostgreSQL on loopback). Reported: requests per second in
 * the window, and the p50/p99/max latency of the requests sent in it; meanwhile, a probe (what a
 * health check does: a request that needs no pooled connection, on a new connection) every
 * 200 ms, and its slowest answer.</li>
 * <li>Memory per waiting request: the server's used heap after a full GC, with {@code concurrency}
 * requests waiting in a handler ({@code GET /wait}), minus the same before they arrived,
 * divided by their number. It includes what the server keeps per connection, the same in both.</li>
 * </ul>
 * Run: {@code mvn -B -ntp -pl benchmarks -am -DskipTests package exec:exec@web-load}; arguments
 * (in {@code -Dweb.args}): concurrency, warm-up seconds, measured seconds, rounds, path ({@code /work}, or
 * {@code /sleep} for the sleep alone); the system property {@code web.modes} (e.g.
 * {@code greenlets-1-hubs,virtual-threads}) picks the servers. Needs
 * PostgreSQL on 127.0.0.1:5432 (database test, user postgres).
 */
public final class WebLoadBenchmark {

    private WebLoadBenchmark() {
    }

    // ---------------------------------------------------------------- the server

    /** The server: Boot's auto-configuration (the starter's included) and the handlers below, not scanned. */
    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration(exclude = DataRedisAutoConfiguration.class)
    public static class Server {

        @Bean
        Handlers handlers(JdbcTemplate jdbc) {
            return new Handlers(jdbc);
        }

        /** {@code args[0]}: "greenlets-N-hubs" or "virtual-threads"; {@code args[1]}: the port. */
        public static void main(String[] args) {
            Map<String, Object> properties = new LinkedHashMap<>();
            if (args[0].startsWith("greenlets")) {
                properties.put("greenlet.monkey.patch-all", "true");
                properties.put("greenlet.web.enabled", "true");
                properties.put("greenlet.hub.count", args[0].split("-")[1]);
                properties.put("greenlet.monitor.enabled", "false"); // virtual threads have no monitor either
            } else {
                properties.put("spring.threads.virtual.enabled", "true");
            }
            properties.put("server.address", "127.0.0.1");
            properties.put("server.port", args[1]);
            properties.put("server.tomcat.max-connections", "30000");
            properties.put("server.tomcat.accept-count", "10000");
            properties.put("server.tomcat.keep-alive-timeout", "120s");
            properties.put("server.tomcat.max-keep-alive-requests", "-1");
            properties.put("spring.datasource.url", "jdbc:postgresql://127.0.0.1:5432/test");
            properties.put("spring.datasource.username", "postgres");
            properties.put("spring.datasource.hikari.maximum-pool-size", "10");
            properties.put("spring.datasource.hikari.connection-timeout", "60000");
            properties.put("spring.jmx.enabled", "false");
            properties.put("logging.level.root", "WARN");
            SpringApplication app = new SpringApplication(Server.class);
            app.setDefaultProperties(properties);
            app.run(args);
        }
    }

    @RestController
    public static class Handlers {
        private final JdbcTemplate jdbc;
        private final AtomicInteger waiting = new AtomicInteger();
        private volatile CountDownLatch release = new CountDownLatch(1);

        Handlers(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        /** The measured request: 100 ms of sleep, then one query. */
        @GetMapping("/work")
        public String work() throws InterruptedException {
            Thread.sleep(100);
            return String.valueOf(jdbc.queryForObject("select 1", Integer.class));
        }

        /** The measured request without its query: 100 ms of sleep (to tell the server's share from the pool's). */
        @GetMapping("/sleep")
        public String sleep() throws InterruptedException {
            Thread.sleep(100);
            return "1";
        }

        /** A request that waits until {@code /release}: the memory measurement's. */
        @GetMapping("/wait")
        public String await() throws InterruptedException {
            CountDownLatch latch = release;
            waiting.incrementAndGet();
            try {
                latch.await();
            } finally {
                waiting.decrementAndGet();
            }
            return "ok";
        }

        /** Ends every waiting {@code /wait}. */
        @GetMapping("/release")
        public String release() {
            CountDownLatch latch = release;
            release = new CountDownLatch(1);
            latch.countDown();
            return "ok";
        }

        @GetMapping("/waiting")
        public String waiting() {
            return String.valueOf(waiting.get());
        }

        /** Used heap after full GCs, in bytes. */
        @GetMapping("/heap")
        public String heap() throws InterruptedException {
            return String.valueOf(HeapPerParkedGreenlet.usedAfterGc());
        }
    }

    // ---------------------------------------------------------------- the load generator

    public static void main(String[] args) throws Exception {
        int concurrency = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int warmupSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int measureSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        String path = args.length > 4 ? args[4] : "/work";
        requirePostgres();
        List<String> rows = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            int cores = Runtime.getRuntime().availableProcessors();
            List<String> modes = cores == 1 ? List.of("greenlets-1-hubs", "virtual-threads")
                    : List.of("greenlets-1-hubs", "greenlets-" + cores + "-hubs", "virtual-threads");
            String only = System.getProperty("web.modes");
            if (only != null && !only.isBlank()) {
                modes = List.of(only.split(","));
            }
            for (String mode : modes) {
                Result r = runOnce(mode, concurrency, warmupSeconds, measureSeconds, path);
                String row = String.format("round %d %-17s %,8.0f req/s  p50 %,6.0f ms  p99 %,6.0f ms  max %,6.0f ms"
                        + "  errors %d  probe max %,5.0f ms  heap/waiting request %,d B", round, mode, r.throughput,
                        r.p50Ms, r.p99Ms, r.maxMs, r.errors, r.probeMaxMs, r.bytesPerWaiting);
                System.out.println(row);
                rows.add(row);
            }
        }
        System.out.println();
        System.out.println("WebLoadBenchmark: " + concurrency + " connections, GET " + path + " (/work = sleep 100 ms + 1 JDBC query),"
                + " " + warmupSeconds + " s warm-up, " + measureSeconds + " s measured");
        rows.forEach(System.out::println);
    }

    record Result(double throughput, double p50Ms, double p99Ms, double maxMs, long errors, double probeMaxMs,
            long bytesPerWaiting) {
    }

    private static Result runOnce(String mode, int concurrency, int warmupSeconds, int measureSeconds, String path)
            throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        Path log = Files.createTempFile("web-load-" + mode + "-", ".log");
        Process server = new ProcessBuilder(javaCommand, "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-Xss1m",
                "-Xms2g", "-Xmx2g", "-cp", System.getProperty("java.class.path"), Server.class.getName(), mode,
                String.valueOf(port)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitServer(port, server, log);
            long heapBefore = Long.parseLong(get(port, "/heap"));
            long bytesPerWaiting = waitingMemory(port, concurrency, heapBefore);
            Load load = new Load(port, concurrency, path);
            load.start();
            Thread.sleep(warmupSeconds * 1000L);
            load.measuring = true;
            long from = System.nanoTime();
            long probeMax = 0; // a health probe's view: a request that needs no pool, every 200 ms, on a new connection
            while (System.nanoTime() - from < measureSeconds * 1_000_000_000L) {
                long t0 = System.nanoTime();
                try {
                    get(port, "/waiting", 10_000);
                } catch (java.net.SocketTimeoutException slow) {
                    // A probe that waits 10 s means a stalled hub: dump the server's threads for the post-mortem.
                    Path dump = Files.createTempFile("web-load-stall-" + mode + "-", ".json");
                    new ProcessBuilder(Path.of(javaCommand).resolveSibling("jcmd").toString(), String.valueOf(server.pid()),
                            "Thread.dump_to_file", "-overwrite", "-format=json", dump.toString()).inheritIO().start().waitFor();
                    System.out.println("STALL: a probe got no answer in 10 s; the server's threads are in " + dump);
                    probeMax = Math.max(probeMax, System.nanoTime() - t0);
                    break;
                }
                probeMax = Math.max(probeMax, System.nanoTime() - t0);
                Thread.sleep(200);
            }
            load.measuring = false;
            double seconds = (System.nanoTime() - from) / 1e9;
            load.stop();
            long[] lat = load.latencies();
            Arrays.sort(lat);
            return new Result(lat.length / seconds, pct(lat, 0.50), pct(lat, 0.99),
                    lat.length == 0 ? 0 : lat[lat.length - 1] / 1e6, load.errors.get(), probeMax / 1e6, bytesPerWaiting);
        } finally {
            server.destroy();
            if (!server.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor();
            }
        }
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1e6;
    }

    /** Opens {@code n} connections that each wait in a handler, then reads the heap they cost. */
    private static long waitingMemory(int port, int n, long heapBefore) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), 60_000);
                s.getOutputStream().write(request("/wait"));
                sockets.add(s);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (Integer.parseInt(get(port, "/waiting")) < n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + get(port, "/waiting") + " of " + n + " requests waiting");
                }
                Thread.sleep(100);
            }
            long heapDuring = Long.parseLong(get(port, "/heap"));
            get(port, "/release");
            for (Socket s : sockets) {
                readResponse(new BufferedInputStream(s.getInputStream()));
            }
            return (heapDuring - heapBefore) / n;
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /** {@code concurrency} keep-alive connections, each in a closed loop on its own virtual thread. */
    static final class Load {
        final int port;
        final int concurrency;
        final AtomicLong errors = new AtomicLong();
        volatile boolean measuring;
        volatile boolean stopped;
        final List<long[]> perConnection = new ArrayList<>();
        final int[] counts;
        final List<Thread> threads = new ArrayList<>();
        final CountDownLatch done;

        final String path;

        Load(int port, int concurrency, String path) {
            this.port = port;
            this.path = path;
            this.concurrency = concurrency;
            this.counts = new int[concurrency];
            this.done = new CountDownLatch(concurrency);
            for (int i = 0; i < concurrency; i++) {
                perConnection.add(new long[4096]);
            }
        }

        void start() {
            for (int i = 0; i < concurrency; i++) {
                int me = i;
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        loop(me);
                    } finally {
                        done.countDown();
                    }
                }));
            }
        }

        private void loop(int me) {
            byte[] req = request(path);
            while (!stopped) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 60_000);
                    s.setSoTimeout(120_000);
                    OutputStream out = s.getOutputStream();
                    InputStream in = new BufferedInputStream(s.getInputStream());
                    while (!stopped) {
                        long t0 = System.nanoTime();
                        boolean counted = measuring;
                        out.write(req);
                        out.flush();
                        readResponse(in);
                        long t = System.nanoTime() - t0;
                        if (counted && measuring) {
                            record(me, t);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    if (!stopped) {
                        errors.incrementAndGet();
                    }
                }
            }
        }

        private void record(int me, long nanos) {
            long[] a = perConnection.get(me);
            if (counts[me] == a.length) {
                a = Arrays.copyOf(a, a.length * 2);
                perConnection.set(me, a);
            }
            a[counts[me]++] = nanos;
        }

        void stop() throws InterruptedException {
            stopped = true;
            for (Thread t : threads) {
                t.interrupt();
            }
            done.await(150, java.util.concurrent.TimeUnit.SECONDS);
        }

        long[] latencies() {
            int total = 0;
            for (int c : counts) {
                total += c;
            }
            long[] all = new long[total];
            int at = 0;
            for (int i = 0; i < concurrency; i++) {
                System.arraycopy(perConnection.get(i), 0, all, at, counts[i]);
                at += counts[i];
            }
            return all;
        }
    }

    static byte[] request(String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads one HTTP/1.1 response (Content-Length or chunked body); fails on a status other than 200. */
    static String readResponse(InputStream in) throws IOException {
        String status = line(in);
        if (!status.startsWith("HTTP/1.1 200")) {
            throw new IOException("unexpected response: " + status);
        }
        int length = -1;
        boolean chunked = false;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            String lower = h.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        StringBuilder body = new StringBuilder();
        if (chunked) {
            for (int size = Integer.parseInt(line(in).trim(), 16); size > 0; size = Integer.parseInt(line(in).trim(), 16)) {
                body.append(new String(in.readNBytes(size), StandardCharsets.UTF_8));
                line(in);
            }
            line(in);
        } else if (length >= 0) {
            body.append(new String(in.readNBytes(length), StandardCharsets.UTF_8));
        }
        return body.toString();
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed mid-response");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    static String get(int port, String path) throws IOException {
        return get(port, path, 120_000);
    }

    static String get(int port, String path, int timeoutMs) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(timeoutMs);
            s.getOutputStream().write(request(path));
            return readResponse(new BufferedInputStream(s.getInputStream()));
        }
    }

    private static void awaitServer(int port, Process server, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            try {
                get(port, "/waiting");
                return;
            } catch (IOException notYet) {
                if (!server.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the server did not start; its log:\n" + Files.readString(log));
                }
                Thread.sleep(200);
            }
        }
    }

    private static void requirePostgres() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", 5432), 2_000);
        } catch (IOException e) {
            throw new IllegalStateException("WebLoadBenchmark needs PostgreSQL on 127.0.0.1:5432; start it with:"
                    + " pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start", e);
        }
    }
}
