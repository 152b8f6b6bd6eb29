package dev.greenlet.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Hub;
import dev.greenlet.diagnostics.HubMonitor;
import dev.greenlet.spring.GreenletHubs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One request in a CPU loop does not silence the application, on Tomcat and on Jetty, measured
 * beside the same application on Boot's virtual threads ({@code spring.threads.virtual.enabled}):
 * while {@code /spin} holds its hub, {@code /actuator/health} keeps answering even with a single
 * hub (it is excluded from hubs by default), and with two hubs ordinary requests keep answering
 * on the hub that is not stalled; each at a rate within a small factor of virtual threads', and
 * health's p99 far below the loop's length.
 */
class CpuHogTests {

    /** The CPU loop; the measuring window lies inside it. */
    static final long SPIN_MS = 4_000;
    static final long WINDOW_MS = 1_500;
    static final int SLEEP_CLIENTS = 4;

    record Window(int healthAnswers, long healthP99Ms, int sleepAnswers, boolean loopCoveredWindow) {
    }

    /** How the application serves requests: Boot's virtual threads, or greenlets on this many hubs. */
    enum Mode {
        VIRTUAL_THREADS(0), ONE_HUB(1), TWO_HUBS(2);

        final int hubs;

        Mode(int hubs) {
            this.hubs = hubs;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { RequestsAsGreenletsTests.JETTY_AUTO_CONFIGURATION,
            RequestsAsGreenletsTests.TOMCAT_AUTO_CONFIGURATION })
    void healthAndOtherHubsAnswerDuringACpuLoopAsOnVirtualThreads(String otherServer) throws Exception {
        Window virtualThreads = measure(otherServer, Mode.VIRTUAL_THREADS);
        Window oneHub = measure(otherServer, Mode.ONE_HUB);
        Window twoHubs = measure(otherServer, Mode.TWO_HUBS);
        String all = "virtual threads " + virtualThreads + ", one hub " + oneHub + ", two hubs " + twoHubs;
        System.out.println("CpuHogTests on " + (otherServer.contains("jetty") ? "Tomcat" : "Jetty") + ": " + all);
        for (Window w : List.of(virtualThreads, oneHub, twoHubs)) {
            assertThat(w.loopCoveredWindow()).as("the loop ran all through the window: %s", all).isTrue();
        }
        assertThat(oneHub.healthAnswers()).as("health answers during the loop on the only hub, at least a fifth of virtual threads': %s", all)
                .isPositive().isGreaterThanOrEqualTo(virtualThreads.healthAnswers() / 5);
        assertThat(oneHub.healthP99Ms()).as("health p99 during the loop, within 10x virtual threads' or a twentieth of the loop: %s", all)
                .isLessThanOrEqualTo(Math.max(10 * virtualThreads.healthP99Ms(), SPIN_MS / 20));
        assertThat(twoHubs.sleepAnswers()).as("requests served on the other hub during the loop, at least a fifth of virtual threads': %s", all)
                .isPositive().isGreaterThanOrEqualTo(virtualThreads.sleepAnswers() / 5);
    }

    private static Window measure(String otherServer, Mode mode) throws Exception {
        boolean greenlets = mode != Mode.VIRTUAL_THREADS;
        WebApplication.reset();
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--" + RequestsAsGreenletsTests.PATCH_ALL,
                "--spring.autoconfigure.exclude=" + otherServer, "--spring.jmx.enabled=false"));
        if (greenlets) {
            args.add("--" + RequestsAsGreenletsTests.WEB);
            args.add("--greenlet.hub.count=" + mode.hubs);
        } else {
            args.add("--spring.threads.virtual.enabled=true");
        }
        ConfigurableApplicationContext context = new SpringApplication(WebApplication.class).run(args.toArray(String[]::new));
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            for (int i = 0; i < 20; i++) { // warm up: class loading, JIT, connections
                assertThat(get(client, port, "/actuator/health").statusCode()).isEqualTo(200);
                assertThat(get(client, port, "/sleep?ms=1").statusCode()).isEqualTo(200);
            }
            CompletableFuture<HttpResponse<String>> spin = send(client, port, "/spin?ms=" + SPIN_MS);
            long deadline = System.nanoTime() + RequestsAsGreenletsTests.NO_HANG_BOUND.toNanos();
            while (WebApplication.spinning.get() == 0
                    || greenlets && context.getBean(GreenletHubs.class).hubs().stream().noneMatch(CpuHogTests::stalled)) {
                assertThat(System.nanoTime()).as("the loop started (and its hub counts as stalled) in time").isLessThan(deadline);
                Thread.sleep(5);
            }
            long windowEnd = System.nanoTime() + WINDOW_MS * 1_000_000;
            List<Long> healthNanos = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger sleeps = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            threads.add(Thread.ofPlatform().start(() -> {
                while (System.nanoTime() < windowEnd) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> health = get(client, port, "/actuator/health");
                    if (health.statusCode() == 200 && health.body().contains("\"UP\"")) {
                        healthNanos.add(System.nanoTime() - t0);
                    }
                }
            }));
            for (int c = 0; mode != Mode.ONE_HUB && c < SLEEP_CLIENTS; c++) { // one hub: they would wait out the loop
                threads.add(Thread.ofPlatform().start(() -> {
                    while (System.nanoTime() < windowEnd) {
                        if (get(client, port, "/sleep?ms=5").statusCode() == 200 && System.nanoTime() < windowEnd) {
                            sleeps.incrementAndGet();
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                assertThat(t.join(RequestsAsGreenletsTests.NO_HANG_BOUND)).as("a client ended in time").isTrue();
            }
            boolean covered = WebApplication.spinning.get() == 1;
            assertThat(spin.get(RequestsAsGreenletsTests.NO_HANG_BOUND.toSeconds(), TimeUnit.SECONDS).statusCode())
                    .isEqualTo(200);
            List<Long> sorted = new ArrayList<>(healthNanos);
            Collections.sort(sorted);
            long p99 = sorted.isEmpty() ? Long.MAX_VALUE / 1_000_000
                    : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1)) / 1_000_000;
            return new Window(sorted.size(), p99, sleeps.get(), covered);
        } finally {
            context.close();
        }
    }

    private static boolean stalled(Hub hub) {
        HubMonitor monitor = HubMonitor.of(hub);
        return monitor != null && monitor.currentBlocking().compareTo(monitor.maxBlockingTime()) >= 0;
    }

    private static HttpResponse<String> get(HttpClient client, int port, String path) {
        try {
            return send(client, port, path).get(RequestsAsGreenletsTests.NO_HANG_BOUND.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("GET " + path + " failed", e);
        }
    }

    private static CompletableFuture<HttpResponse<String>> send(HttpClient client, int port, String path) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(RequestsAsGreenletsTests.NO_HANG_BOUND).build(), HttpResponse.BodyHandlers.ofString());
    }
}
