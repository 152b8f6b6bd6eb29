package dev.greenlet.select;

import static dev.greenlet.Gevent.joinall;
import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cooperative select: the seed's example 3, and real channels on loopback. */
class SelectTest extends HubTestSupport {

    /** Example 3 of the seed: two polls and a sleeper overlap; the run takes one poll, not two. */
    @Test
    void example3TwoPollersAndASleeperOverlap() {
        long start = System.nanoTime();
        Duration poll = Duration.ofMillis(MEDIUM_MS);
        inHub(() -> {
            Greenlet<Void> gr1 = spawn(() -> {
                log("Started Polling");
                Select.select(List.of(), List.of(), poll);
                log("Ended Polling");
            });
            Greenlet<Void> gr2 = spawn(() -> {
                log("Started Polling");
                Select.select(List.of(), List.of(), poll);
                log("Ended Polling");
            });
            Greenlet<Void> gr3 = spawn(() -> {
                log("Hey lets do some stuff while the greenlets poll");
                sleep(poll.dividedBy(2));
            });
            joinall(List.of(gr1, gr2, gr3));
        });
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(events).containsExactly("Started Polling", "Started Polling",
                "Hey lets do some stuff while the greenlets poll", "Ended Polling", "Ended Polling");
        assertThat(elapsedMs).isGreaterThanOrEqualTo(MEDIUM_MS).isLessThan(2 * MEDIUM_MS);
    }

    @Test
    void selectReportsAChannelThatBecomesReadableWhileOthersRun() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            server.configureBlocking(false);
            inHub(() -> {
                Greenlet<Select.Ready> selector = spawn(() -> Select.select(List.of(server), List.of(), Duration.ofMillis(LONG_MS)));
                Greenlet<Void> client = spawn(() -> {
                    log("client runs while select waits");
                    try (SocketChannel c = SocketChannel.open(server.getLocalAddress())) {
                        c.write(ByteBuffer.wrap(new byte[] {1}));
                        selector.join();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                Select.Ready ready = selector.get();
                assertThat(ready.readable()).containsExactly(server);
                assertThat(ready.writable()).isEmpty();
                client.get();
            });
        }
        assertThat(events).containsExactly("client runs while select waits");
    }

    @Test
    void selectTimesOutWithNothingReady() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            server.configureBlocking(false);
            assertThat(Select.select(List.of(server), List.of(), Duration.ofMillis(10)).isEmpty()).isTrue();
            assertThat(Select.select(List.of(server), List.of(), Duration.ZERO).isEmpty()).isTrue();
        }
    }

    @Test
    void killEndsASelectPromptly() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            server.configureBlocking(false);
            long start = System.nanoTime();
            inHub(() -> {
                Greenlet<Select.Ready> waiting = spawn(() -> Select.select(List.of(server), List.of(), null));
                sleep(SHORT_MS);
                waiting.kill();
                assertThat(waiting.isKilled()).isTrue();
            });
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(LONG_MS);
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
        }
    }

    @Test
    void badArgumentsGetClearErrors() throws Exception {
        assertThatThrownBy(() -> Select.select(List.of(), List.of(), null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("would block forever");
        try (ServerSocketChannel blocking = ServerSocketChannel.open()) {
            blocking.bind(new InetSocketAddress("127.0.0.1", 0));
            assertThatThrownBy(() -> Select.select(List.of(blocking), List.of(), Duration.ofMillis(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("configureBlocking(false)");
        }
    }
}
