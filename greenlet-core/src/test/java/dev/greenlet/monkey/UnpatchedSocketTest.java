package dev.greenlet.monkey;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The unpatched side, in a JVM of its own: blocking socket clients hold the hub, so greenlets
 * making slow calls run one after another, exactly as gevent without {@code patch_all()}.
 */
class UnpatchedSocketTest extends HubTestSupport {

    /** Twenty greenlets each make a 200 ms call with HttpURLConnection: they take at least 20 x 200 ms. */
    @Test
    void blockingCallsHoldTheHubAndRunOneAfterAnother() throws Exception {
        try (LoopbackServer server = LoopbackServer.http()) {
            long start = System.nanoTime();
            List<String> bodies = hub.run(() -> {
                List<Greenlet<String>> gs = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    gs.add(Gevent.spawn(() -> server.getSlow(MEDIUM_MS)));
                }
                Gevent.joinall(gs);
                return gs.stream().map(Greenlet::get).toList();
            });
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(bodies).hasSize(20).containsOnly("ok");
            assertThat(elapsedMs).isGreaterThanOrEqualTo(20 * MEDIUM_MS);
        }
        assertThat(Monkey.patched()).isEmpty();
    }

    @Test
    void socketsUseTheJdksImplementation() {
        assertThat(Monkey.implementationOf(new Socket())).isEqualTo("java.net.SocksSocketImpl over sun.nio.ch.NioSocketImpl");
    }

    /** The behaviour the patched forks must reproduce. */
    @Test
    void platformSocketBehaviour() throws Exception {
        SocketBehaviour.all();
        hub.run(() -> {
            SocketBehaviour.all();
            return null;
        });
    }
}
