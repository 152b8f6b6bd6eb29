package dev.greenlet.monkey;

import static dev.greenlet.Gevent.joinall;
import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JDK HttpClient, out of the socket patch's reach, made cooperative by wrapping it. */
class CooperativeHttpClientTest extends HubTestSupport {

    @Test
    void wrappedSendsOverlapWhereRawSendsWouldHoldTheHub() throws Exception {
        try (LoopbackServer server = LoopbackServer.http(); HttpClient raw = HttpClient.newHttpClient()) {
            HttpClient client = Monkey.cooperative(raw);
            assertThat(Monkey.cooperative(client)).isSameAs(client);
            HttpRequest request = HttpRequest.newBuilder(URI.create(server.base + "/slow?ms=" + MEDIUM_MS)).build();
            long start = System.nanoTime();
            List<String> bodies = hub.run(() -> {
                List<Greenlet<String>> gs = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    gs.add(spawn(() -> client.send(request, HttpResponse.BodyHandlers.ofString()).body()));
                }
                joinall(gs);
                return gs.stream().map(Greenlet::get).toList();
            });
            assertThat(bodies).hasSize(20).containsOnly("ok");
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(20 * MEDIUM_MS / 4);
            // And from a plain thread it is the ordinary blocking send.
            assertThat(client.send(request, HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("ok");
        }
    }

    @Test
    void killingTheGreenletCancelsTheRequest() throws Exception {
        try (LoopbackServer server = LoopbackServer.http(); HttpClient raw = HttpClient.newHttpClient()) {
            HttpClient client = Monkey.cooperative(raw);
            HttpRequest request = HttpRequest.newBuilder(URI.create(server.base + "/slow?ms=" + LONG_MS * 4)).build();
            long start = System.nanoTime();
            hub.run(() -> {
                Greenlet<String> g = spawn(() -> client.send(request, HttpResponse.BodyHandlers.ofString()).body());
                sleep(SHORT_MS);
                g.kill();
                assertThat(g.isKilled()).isTrue();
                return null;
            });
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(LONG_MS);
        }
    }
}
