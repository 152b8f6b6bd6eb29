package dev.greenlet.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Hub;
import dev.greenlet.diagnostics.HubMonitor;
import dev.greenlet.spring.GreenletHubs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The starter's own start-up runs nothing on the hubs, so it cannot stall one (class loading of
 * the server, Spring MVC and Actuator happens on the server's threads): after start-up, and
 * after the first health checks (excluded from hubs), no greenlet was spawned and no stall seen;
 * the first ordinary request is the first greenlet. (Stalls in a request's first use, class
 * loading in a greenlet, are the hub monitor's to judge, in the core.)
 */
class StartupTests {

    @ParameterizedTest
    @ValueSource(strings = { RequestsAsGreenletsTests.JETTY_AUTO_CONFIGURATION,
            RequestsAsGreenletsTests.TOMCAT_AUTO_CONFIGURATION })
    void startUpAndHealthChecksRunNothingOnTheHubs(String otherServer) throws Exception {
        WebApplication.reset();
        ConfigurableApplicationContext context = new SpringApplication(WebApplication.class).run("--server.port=0",
                "--" + RequestsAsGreenletsTests.PATCH_ALL, "--" + RequestsAsGreenletsTests.WEB,
                "--spring.autoconfigure.exclude=" + otherServer, "--spring.jmx.enabled=false");
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            GreenletHubs hubs = context.getBean(GreenletHubs.class);
            assertThat(spawned(hubs)).as("greenlets spawned during start-up").isZero();
            for (String path : new String[] { "/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness" }) {
                HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(RequestsAsGreenletsTests.NO_HANG_BOUND).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).as(path).isIn(200, 404); // probes are on only where Boot turns them on
            }
            assertThat(spawned(hubs)).as("greenlets spawned by health checks").isZero();
            assertThat(hubs.hubs().stream().mapToLong(h -> HubMonitor.of(h).stallCount()).sum())
                    .as("stalls seen by the starter's monitors during start-up and health checks").isZero();
            HttpResponse<String> first = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sleep?ms=1"))
                    .timeout(RequestsAsGreenletsTests.NO_HANG_BOUND).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(first.body()).as("an ordinary request runs in a greenlet").startsWith("greenlet=");
            assertThat(spawned(hubs)).as("the first ordinary request is the first greenlet").isOne();
        } finally {
            context.close();
        }
    }

    private static long spawned(GreenletHubs hubs) {
        return hubs.hubs().stream().mapToLong(Hub::spawnedCount).sum();
    }
}
