package dev.greenlet.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The web mode with the sample's own application.properties: patch-all, and requests as greenlets. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SampleWebTests {

    static final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    Environment environment;

    @AfterAll
    static void closeClient() {
        http.close();
    }

    HttpResponse<String> get(String path) throws Exception {
        return get(port, path);
    }

    HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** 50 calls of 200 ms from @Greenlet methods: all succeed, in well under 50 x 200 ms. */
    @Test
    void fanOutOfFiftyCallsOverlaps() throws Exception {
        get("/fanout?calls=1&ms=0"); // warm up
        HttpResponse<String> response = get("/fanout?calls=50&ms=200");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode json = JsonMapper.builder().build().readTree(response.body());
        assertThat(json.get("calls").asInt()).isEqualTo(50);
        assertThat(json.get("succeeded").asInt()).isEqualTo(50);
        assertThat(json.get("failed").asInt()).isZero();
        assertThat(json.get("slowestMillis").asLong()).isGreaterThanOrEqualTo(200);
        long serialMs = 50 * 200;
        assertThat(json.get("wallMillis").asLong()).as("50 x 200 ms one after another: %d ms", serialMs)
                .isGreaterThanOrEqualTo(200).isLessThan(serialMs / 4);
        assertThat(json.get("cooperativeCalls").asBoolean()).isTrue();
        assertThat(json.get("patched").toString()).as("patch-all: the carrier engine and DNS").contains("thread").contains("dns");
    }

    /**
     * 200 calls of 200 ms through a pool of 50: they overlap, but in rounds of at most 50, so the
     * fan-out takes at least 4 x 200 ms; an unbounded spawn would take about 200 ms.
     */
    @Test
    void fanOutIsBoundedByItsPool() throws Exception {
        int calls = 4 * SampleController.MAX_CONCURRENT_CALLS;
        HttpResponse<String> response = get("/fanout?calls=" + calls + "&ms=200");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode json = JsonMapper.builder().build().readTree(response.body());
        assertThat(json.get("succeeded").asInt()).isEqualTo(calls);
        long rounds = calls / SampleController.MAX_CONCURRENT_CALLS;
        assertThat(json.get("wallMillis").asLong()).as("at most %d calls in flight: %d rounds of 200 ms at least",
                SampleController.MAX_CONCURRENT_CALLS, rounds).isGreaterThanOrEqualTo(rounds * 200)
                .isLessThan(calls * 200L / 4);
    }

    @Test
    void badParametersGetA400WithAMessage() throws Exception {
        for (String query : new String[] {"calls=0&ms=10", "calls=1001&ms=10", "calls=5&ms=-1", "calls=5&ms=10001"}) {
            HttpResponse<String> response = get("/fanout?" + query);
            assertThat(response.statusCode()).as(query).isEqualTo(400);
            assertThat(response.body()).as(query).contains("must be between");
        }
        assertThat(get("/slow?ms=-5").statusCode()).isEqualTo(400);
        assertThat(get("/fanout?calls=x&ms=1").statusCode()).isEqualTo(400);
    }

    @Test
    void examplesRunOverHttp() throws Exception {
        HttpResponse<String> one = get("/examples/1");
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(one.body().lines().toList()).containsExactly("Running in foo", "Explicit context to bar",
                "Explicit context switch to foo again", "Implicit context switch back to bar");
        assertThat(get("/examples/9").statusCode()).isEqualTo(404);
        assertThat(get("/slow?ms=1").body()).isEqualTo("ok");
    }

    /** Web mode runs patch-all from start-up: example 4 says there is no "before" rather than mislabel one. */
    @Test
    void example4InWebModeShowsThePatchedSideOnly() throws Exception {
        HttpResponse<String> four = get("/examples/4");
        assertThat(four.statusCode()).isEqualTo(200);
        assertThat(four.body()).contains("carrier engine").contains("no \"before\" to show")
                .contains("patched: ").doesNotContain("before the patch");
    }

    /**
     * Requests are greenlets: 400 requests that each sleep 3 s (more than Tomcat's 200 threads
     * could hold) overlap, and the readiness probe answers while they all still wait.
     */
    @Test
    void slowRequestsDoNotTieUpThreads() throws Exception {
        get("/slow?ms=1"); // warm up
        int requests = 400;
        long ms = 3_000;
        long start = System.nanoTime();
        java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> load = new java.util.ArrayList<>();
        for (int i = 0; i < requests; i++) {
            load.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow?ms=" + ms)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        HttpResponse<String> ready = get("/readyz");
        boolean loadStillWaiting = load.stream().noneMatch(java.util.concurrent.CompletableFuture::isDone);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(loadStillWaiting).as("the probe answered while the slow requests still waited").isTrue();
        for (java.util.concurrent.CompletableFuture<HttpResponse<String>> r : load) {
            assertThat(r.get(60, java.util.concurrent.TimeUnit.SECONDS).body()).isEqualTo("ok");
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(elapsedMs).as("%d requests of %d ms, 200 at a time, would take at least %d ms", requests, ms, 2 * ms)
                .isLessThan(2 * ms);
    }

    /**
     * The application's port answers only the bare probes; health (without details), metrics and
     * the greenlets endpoint are on the management port, bound to the loopback interface.
     */
    @Test
    void actuatorIsOnTheLoopbackManagementPortAndHealthHasNoDetails() throws Exception {
        assertThat(managementPort).isNotEqualTo(port);
        assertThat(environment.getProperty("management.server.address")).isEqualTo("127.0.0.1");
        assertThat(get("/actuator/health").statusCode()).as("no Actuator on the application's port").isEqualTo(404);
        assertThat(get("/actuator/greenlets").statusCode()).isEqualTo(404);
        HttpResponse<String> live = get("/livez");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).isEqualTo("{\"status\":\"UP\"}");
        assertThat(get("/readyz").statusCode()).isEqualTo(200);

        HttpResponse<String> health = get(managementPort, "/actuator/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"").doesNotContain("greenlets").doesNotContain("details");
        assertThat(get(managementPort, "/actuator/greenlets").body()).contains("\"hubs\"").contains("\"name\":\"greenlet");
        get("/fanout?calls=2&ms=0");
        HttpResponse<String> spawned = get(managementPort, "/actuator/metrics/greenlet.spawned");
        assertThat(spawned.statusCode()).isEqualTo(200);
        assertThat(spawned.body()).contains("\"hub\"");
    }

    /** The client metrics tag each call with the URI template, not the URL: distinct delays, one tag value. */
    @Test
    void clientMetricsTagTheUriTemplate() throws Exception {
        get("/fanout?calls=1&ms=1");
        get("/fanout?calls=1&ms=2");
        get("/fanout?calls=1&ms=3");
        JsonNode metric = JsonMapper.builder().build()
                .readTree(get(managementPort, "/actuator/metrics/http.client.requests").body());
        JsonNode uris = null;
        for (JsonNode tag : metric.get("availableTags")) {
            if (tag.get("tag").asString().equals("uri")) {
                uris = tag.get("values");
            }
        }
        assertThat(uris).as("uri tag of http.client.requests: %s", metric).isNotNull();
        assertThat(uris.size()).isOne();
        assertThat(uris.get(0).asString()).contains("{ms}");
    }
}
