package dev.greenlet.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Gevent;
import dev.greenlet.Hub;
import dev.greenlet.event.Event;
import dev.greenlet.spring.actuate.GreenletsEndpoint;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code /actuator/greenlets} for a person: names as name → count, what each group waits for in
 * words, the first application frame, the endpoint's own request left out, and a
 * {@code text/plain} form chosen by the Accept header, on a real server.
 */
class GreenletsEndpointTests {

    @Test
    void aGroupCountsItsNamesSaysWhatItWaitsForAndWhereTheApplicationIs() {
        try (Hub hub = new Hub("orders")) {
            GreenletsEndpoint endpoint = new GreenletsEndpoint(new GreenletHubs(List.of(hub), Duration.ZERO, null),
                    List.of(Workload.class.getPackageName()));
            Event release = new Event();
            List<dev.greenlet.Greenlet<?>> waiting = Workload.spawn(hub, release, Map.of("GET /orders", 5, "GET /users", 3));
            hub.run(() -> Gevent.sleep(1)); // each reached its wait: the hub went idle once
            try {
                GreenletsEndpoint.HubDescriptor described = endpoint.greenlets(null).hubs().get(0);
                assertThat(described.live()).isEqualTo(8);
                GreenletsEndpoint.GroupDescriptor group = described.groups().get(0);
                assertThat(group.count()).isEqualTo(8);
                assertThat(group.names()).containsExactly(Map.entry("GET /orders", 5), Map.entry("GET /users", 3));
                assertThat(group.waitingOn()).hasSize(1);
                assertThat(group.waitingOn().keySet().iterator().next()).isNotBlank().isNotEqualTo("various");
                assertThat(group.applicationFrame()).contains("GreenletsEndpointTests$Workload.waitFor");

                String text = endpoint.greenletsText(null);
                assertThat(text).startsWith("Hub \"orders\": 8 live, ")
                        .contains("\n8 x WAITING, waiting for ")
                        .contains("\n    names: GET /orders (5), GET /users (3)\n")
                        .contains("\n    in dev.greenlet.spring.GreenletsEndpointTests$Workload.waitFor(");
            } finally {
                hub.run(release::set);
                Gevent.joinall(waiting);
            }
        }
    }

    @Test
    void theGreenletThatAsksIsLeftOut() throws Exception {
        try (Hub hub = new Hub("self")) {
            GreenletsEndpoint endpoint = new GreenletsEndpoint(new GreenletHubs(List.of(hub), Duration.ZERO, null));
            Event release = new Event();
            List<dev.greenlet.Greenlet<?>> waiting = Workload.spawn(hub, release, Map.of("waiter", 2));
            try {
                GreenletsEndpoint.HubDescriptor described = hub.spawn(() -> endpoint.greenlets(null).hubs().get(0))
                        .setName("GET /actuator/greenlets").get();
                assertThat(described.live()).isEqualTo(2);
                assertThat(described.groups()).allSatisfy(g -> assertThat(g.names()).doesNotContainKey("GET /actuator/greenlets"));
            } finally {
                hub.run(release::set);
                Gevent.joinall(waiting);
            }
        }
    }

    @Test
    void textPlainIsServedForAnAcceptHeaderThatAsksForIt() throws Exception {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(ActuatorApplication.class)
                .web(WebApplicationType.SERVLET)
                .properties("server.port=0", "management.endpoints.web.exposure.include=greenlets").run()) {
            int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
            HttpClient client = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + port + "/actuator/greenlets");
            HttpResponse<String> text = client.send(HttpRequest.newBuilder(uri).header("Accept", "text/plain").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(text.statusCode()).isEqualTo(200);
            assertThat(text.headers().firstValue("Content-Type")).get().asString().startsWith("text/plain");
            assertThat(text.body()).startsWith("Hub \"greenlet\": ");
            HttpResponse<String> json = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(json.statusCode()).isEqualTo(200);
            assertThat(json.body()).startsWith("{\"hubs\":[{\"name\":\"greenlet\"");
        }
    }

    /** Greenlets that wait on one event from one place, so they share a stack. */
    static final class Workload {
        static List<dev.greenlet.Greenlet<?>> spawn(Hub hub, Event release, Map<String, Integer> names) {
            List<dev.greenlet.Greenlet<?>> spawned = new ArrayList<>();
            names.forEach((name, count) -> {
                for (int i = 0; i < count; i++) {
                    spawned.add(hub.spawn(() -> waitFor(release)).setName(name));
                }
            });
            return spawned;
        }

        static void waitFor(Event release) {
            release.await();
        }
    }

    /** A web application with Actuator; no database or Redis here. */
    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration(exclude = { DataSourceAutoConfiguration.class, DataRedisAutoConfiguration.class })
    static class ActuatorApplication {
    }
}
