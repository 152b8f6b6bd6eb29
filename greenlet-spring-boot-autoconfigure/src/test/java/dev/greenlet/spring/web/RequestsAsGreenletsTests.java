package dev.greenlet.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import dev.greenlet.diagnostics.HubMonitor;
import dev.greenlet.spring.GreenletHubs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/**
 * Requests as greenlets on a real embedded server (each subclass picks Tomcat or Jetty), with
 * {@code greenlet.web.enabled} and {@code greenlet.monkey.patch-all}: every request runs in a
 * greenlet of the starter's hubs, thousands of sleeping requests overlap far beyond the server's
 * thread count, health answers during that load, a killed request gives its client a 5xx, and
 * a request that stalls its hub is reported by method and path.
 */
abstract class RequestsAsGreenletsTests {

    /** Every wait on the server is bounded by this, far above what any of them takes: a hang fails, it does not hang. */
    static final Duration NO_HANG_BOUND = Duration.ofSeconds(60);

    static final String PATCH_ALL = "greenlet.monkey.patch-all=true";
    static final String WEB = "greenlet.web.enabled=true";
    static final String TOMCAT_AUTO_CONFIGURATION =
            "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration";
    static final String JETTY_AUTO_CONFIGURATION =
            "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration";

    @LocalServerPort
    int port;

    @Autowired
    GreenletHubs hubs;

    @Autowired
    WebServerApplicationContext context;

    ExecutorService clientThreads;
    HttpClient client;

    /** The embedded server this class runs on: "Tomcat" or "Jetty". */
    abstract String server();

    @BeforeEach
    void client() {
        WebApplication.reset();
        clientThreads = Executors.newVirtualThreadPerTaskExecutor();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(clientThreads)
                .connectTimeout(Duration.ofSeconds(30)).build();
    }

    @AfterEach
    void closeClient() {
        client.close();
        clientThreads.close();
    }

    @Test
    void runsOnTheServerItWasAskedFor() {
        assertThat(context.getWebServer().getClass().getSimpleName()).startsWith(server());
        assertThat(hubs.hubs()).as("with request greenlets, one hub per available processor by default")
                .hasSize(Runtime.getRuntime().availableProcessors());
        assertThat(context.containsBean("applicationTaskExecutor"))
                .as("the request executor is no default candidate: Boot keeps its applicationTaskExecutor").isTrue();
    }

    @Test
    void twoThousandSleepingRequestsEachRunInAGreenletAndOverlap() throws Exception {
        get("/sleep?ms=1"); // warm up the server and the client
        int requests = 2_000;
        long sleepMs = 500;
        long start = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            responses.add(send("/sleep?ms=" + sleepMs));
        }
        Set<String> greenlets = new HashSet<>();
        for (CompletableFuture<HttpResponse<String>> r : responses) {
            HttpResponse<String> response = r.get(NO_HANG_BOUND.toSeconds(), TimeUnit.SECONDS);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).as("each request runs in a greenlet of the starter's hubs, named after it")
                    .startsWith("greenlet=").endsWith(" name=GET /sleep");
            assertThat(hubs.hubs().stream().map(h -> " hub=" + h.name() + " "))
                    .as("the request's hub is one of the starter's").anyMatch(response.body()::contains);
            greenlets.add(response.body());
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        long serialMs = requests * sleepMs;
        assertThat(elapsedMs).as("2,000 requests of 500 ms one after another would take %d ms", serialMs)
                .isLessThan(serialMs / 20);
        assertThat(WebApplication.maxInFlight.get())
                .as("requests waiting at once: more than the 200 threads a server would have without greenlets")
                .isGreaterThan(200);
        assertThat(greenlets).as("greenlets ids seen").hasSizeGreaterThan(200);
    }

    @Test
    void healthAnswersWhileThousandsOfRequestsWait() throws Exception {
        get("/sleep?ms=1");
        List<CompletableFuture<HttpResponse<String>>> load = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            load.add(send("/sleep?ms=3000"));
        }
        awaitInFlight(500);
        HttpResponse<String> health = get("/actuator/health");
        int stillWaiting = WebApplication.inFlight.get();
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"UP\"");
        assertThat(stillWaiting).as("health answered while the load was still waiting").isGreaterThan(0);
        for (CompletableFuture<HttpResponse<String>> r : load) {
            assertThat(r.get(NO_HANG_BOUND.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aKilledRequestGivesItsClientA5xxAndTheHubServesTheNext() throws Exception {
        CompletableFuture<HttpResponse<String>> parked = send("/park?key=victim");
        Greenlet<?> victim = awaitParked("victim");
        assertThat(victim.name()).isEqualTo("GET /park");
        victim.kill(true, NO_HANG_BOUND);
        assertThat(victim.isDead()).isTrue();
        HttpResponse<String> response = parked.get(NO_HANG_BOUND.toSeconds(), TimeUnit.SECONDS);
        assertThat(response.statusCode()).as(response.body()).isBetween(500, 599);
        HttpResponse<String> next = get("/sleep?ms=10");
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(next.body()).startsWith("greenlet=");
    }

    @Test
    void mdcIsPerRequestAsOnAServletThread() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            responses.add(send("/mdc?id=r" + i));
        }
        for (int i = 0; i < 200; i++) {
            assertThat(responses.get(i).get(NO_HANG_BOUND.toSeconds(), TimeUnit.SECONDS).body())
                    .as("request %d read back its own MDC value after others set theirs", i).isEqualTo("r" + i);
        }
    }

    @Test
    void spawnsAndGreenletMethodsRunOnTheRequestsHub() throws Exception {
        HttpResponse<String> response = get("/spawn");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String[] hubsSeen = response.body().split(" ", 4);
        assertThat(hubsSeen[1]).as("Gevent.spawn from a request").isEqualTo(hubsSeen[0]);
        assertThat(hubsSeen[2]).as("a @Greenlet method called from a request").isEqualTo(hubsSeen[0]);
        assertThat(hubs.hubs().stream().map(Hub::name)).as("the request's hub is one of the starter's")
                .contains(hubsSeen[0]);
    }

    @Test
    void aRequestThatStallsItsHubIsReportedByMethodAndPath() throws Exception {
        List<String> stalled = new CopyOnWriteArrayList<>();
        List<HubMonitor> monitors = hubs.hubs().stream().map(HubMonitor::of).toList();
        assertThat(monitors).as("the starter's hubs are monitored").doesNotContainNull();
        HubMonitor.Listener listener = report -> stalled.add(report.greenlet().name());
        monitors.forEach(m -> m.addListener(listener));
        try {
            HttpResponse<String> response = get("/spin?ms=600");
            assertThat(response.statusCode()).isEqualTo(200);
            long deadline = System.nanoTime() + NO_HANG_BOUND.toNanos();
            while (stalled.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(stalled).contains("GET /spin");
        } finally {
            monitors.forEach(m -> m.removeListener(listener));
        }
    }

    HttpResponse<String> get(String path) throws Exception {
        return send(path).get(NO_HANG_BOUND.toSeconds(), TimeUnit.SECONDS);
    }

    CompletableFuture<HttpResponse<String>> send(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(NO_HANG_BOUND).build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    static void awaitInFlight(int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + NO_HANG_BOUND.toNanos();
        while (WebApplication.inFlight.get() < atLeast) {
            assertThat(System.nanoTime()).as("%d requests in flight in time", atLeast).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    static Greenlet<?> awaitParked(String key) throws InterruptedException {
        long deadline = System.nanoTime() + NO_HANG_BOUND.toNanos();
        Greenlet<?> g;
        while ((g = WebApplication.parked.get(key)) == null) {
            assertThat(System.nanoTime()).as("request '%s' parked in time", key).isLessThan(deadline);
            Thread.sleep(5);
        }
        return g;
    }
}
