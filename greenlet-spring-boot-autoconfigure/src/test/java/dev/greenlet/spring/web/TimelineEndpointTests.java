package dev.greenlet.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The timeline of an application under load on request greenlets, read from the Actuator: on
 * each hub the turns never overlap, request turns carry their method and path template, a CPU
 * loop is marked as a stall, and who held the hubs is in the endpoint and the meters; bad input
 * answers 400 with the fix.
 */
public class TimelineEndpointTests {

    /** The load: clients x requests each on /sleep/{id}, one CPU loop of this length, and a few /spawn. */
    public static final int CLIENTS = 8;
    public static final int REQUESTS = 25;
    static final long SPIN_MS = 300;

    /** Starts {@link WebApplication} with requests as greenlets on two hubs and the greenlets endpoint exposed. */
    public static ConfigurableApplicationContext startUnderLoad() throws Exception {
        WebApplication.reset();
        ConfigurableApplicationContext context = new SpringApplication(WebApplication.class).run("--server.port=0",
                "--" + RequestsAsGreenletsTests.PATCH_ALL, "--" + RequestsAsGreenletsTests.WEB, "--greenlet.hub.count=2",
                "--management.endpoints.web.exposure.include=greenlets,health", "--spring.jmx.enabled=false");
        int port = port(context);
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            List<Thread> clients = new ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int c = 0; c < CLIENTS; c++) {
                int id = c;
                clients.add(Thread.ofPlatform().start(() -> {
                    for (int r = 0; r < REQUESTS; r++) {
                        try {
                            HttpResponse<String> answer = get(client, port, "/sleep/" + id + "-" + r + "?ms=2");
                            if (answer.statusCode() != 200) {
                                failures.add(new AssertionError("/sleep answered " + answer.statusCode()));
                            }
                        } catch (Exception e) {
                            failures.add(e);
                        }
                    }
                }));
            }
            assertThat(get(client, port, "/spin?ms=" + SPIN_MS).statusCode()).isEqualTo(200);
            for (int i = 0; i < 5; i++) { // a request that spawns and joins: greenlets waking greenlets (flow arrows)
                assertThat(get(client, port, "/spawn").statusCode()).isEqualTo(200);
            }
            for (Thread t : clients) {
                assertThat(t.join(RequestsAsGreenletsTests.NO_HANG_BOUND)).as("a client ended in time").isTrue();
            }
            assertThat(failures).isEmpty();
        }
        return context;
    }

    public static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    static HttpResponse<String> get(HttpClient client, int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(RequestsAsGreenletsTests.NO_HANG_BOUND).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aLoadedApplicationsTimelineHasOneTurnAtATimePerHubNamedByItsRequests() throws Exception {
        try (ConfigurableApplicationContext context = startUnderLoad();
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            int port = port(context);
            HttpResponse<String> answer = get(client, port, "/actuator/greenlets/timeline?seconds=30");
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
            JsonNode trace = JsonMapper.builder().build().readTree(answer.body());
            Map<Integer, List<JsonNode>> byTrack = new HashMap<>();
            Map<Integer, String> trackNames = new HashMap<>();
            List<String> names = new ArrayList<>();
            List<String> stalls = new ArrayList<>();
            int flows = 0;
            for (JsonNode e : trace.get("traceEvents")) {
                String ph = e.get("ph").asString();
                if (ph.equals("X")) {
                    byTrack.computeIfAbsent(e.get("tid").asInt(), k -> new ArrayList<>()).add(e);
                    names.add(e.get("name").asString());
                    if (e.get("cat").asString().contains("stall")) {
                        stalls.add(e.get("name").asString());
                    }
                } else if (ph.equals("M") && e.get("name").asString().equals("thread_name")) {
                    trackNames.put(e.get("tid").asInt(), e.get("args").get("name").asString());
                } else if (ph.equals("f")) {
                    flows++;
                }
            }
            assertThat(trackNames.values()).as("a track per hub").containsExactlyInAnyOrder("hub greenlet-0", "hub greenlet-1");
            assertThat(byTrack).isNotEmpty();
            for (Map.Entry<Integer, List<JsonNode>> track : byTrack.entrySet()) {
                List<JsonNode> turns = track.getValue();
                turns.sort(java.util.Comparator.comparingDouble(e -> e.get("ts").asDouble()));
                for (int i = 1; i < turns.size(); i++) {
                    double prevEnd = turns.get(i - 1).get("ts").asDouble() + turns.get(i - 1).get("dur").asDouble();
                    // 0.002 us: the rounding of two decimal microsecond values, far below a turn
                    assertThat(turns.get(i).get("ts").asDouble()).as("turn %s on %s starts after %s ended", turns.get(i),
                            trackNames.get(track.getKey()), turns.get(i - 1)).isGreaterThanOrEqualTo(prevEnd - 0.002);
                }
            }
            assertThat(names).as("request turns carry the method and path template").contains("GET /sleep/{id}", "GET /spin");
            assertThat(stalls).as("the CPU loop's turn is marked as a stall").contains("GET /spin");
            assertThat(flows).as("flow arrows from wakers").isPositive();

            HttpResponse<String> bad = get(client, port, "/actuator/greenlets/timeline?seconds=0");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("seconds must be between 1 and 60").contains("?seconds=10");
            HttpResponse<String> tooMuch = get(client, port, "/actuator/greenlets/timeline?seconds=3600");
            assertThat(tooMuch.statusCode()).isEqualTo(400);
            assertThat(get(client, port, "/actuator/greenlets/nothing").statusCode()).isEqualTo(404);

            HttpResponse<String> page = get(client, port, "/actuator/greenlets/timeline.html?seconds=30");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
            assertThat(page.body()).contains("<svg id=\"timeline\"", "\"traceEvents\"", "GET /sleep/{id}")
                    .doesNotContain("__TRACE_JSON__").doesNotContain("http://cdn").doesNotContain("https://");

            JsonNode greenlets = JsonMapper.builder().build().readTree(get(client, port, "/actuator/greenlets").body());
            Map<String, Long> holders = new HashMap<>();
            greenlets.get("holders").forEach(h -> holders.put(h.get("name").asString(), h.get("turns").asLong()));
            assertThat(holders).containsKeys("GET /sleep/{id}", "GET /spin");
            // A request's turns before the handler mapping chose its template (a JDK lock it waited for
            // on the way there) keep the raw path; every request's last turns carry the template.
            long raw = holders.entrySet().stream().filter(h -> h.getKey().matches("GET /sleep/\\d.*"))
                    .mapToLong(Map.Entry::getValue).sum();
            assertThat(holders.get("GET /sleep/{id}")).isGreaterThanOrEqualTo(CLIENTS * REQUESTS).isGreaterThan(10 * raw);

            MeterRegistry registry = context.getBean(MeterRegistry.class);
            // The meters of a new name are registered off the hub, a moment after its first turn.
            long deadline = System.nanoTime() + RequestsAsGreenletsTests.NO_HANG_BOUND.toNanos();
            while (registry.find("greenlet.hold.time").tag("name", "GET /spin").gauge() == null
                    || registry.find("greenlet.hold.turns").tag("name", "GET /sleep/{id}").gauge() == null) {
                assertThat(System.nanoTime()).as("the greenlet.hold.* meters registered in time").isLessThan(deadline);
                Thread.sleep(5);
            }
            assertThat(registry.get("greenlet.hold.turns").tag("name", "GET /sleep/{id}").gauge().value())
                    .isGreaterThanOrEqualTo(CLIENTS * REQUESTS);
            assertThat(registry.get("greenlet.hold.time").tag("name", "GET /spin").gauge().value())
                    .isGreaterThanOrEqualTo(SPIN_MS * 0.9);
        }
    }
}
