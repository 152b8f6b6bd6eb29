package dev.greenlet;

import static dev.greenlet.Gevent.joinall;
import static dev.greenlet.Gevent.offload;
import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** offload: blocking calls run without the turn, and the hub keeps its invariants around them. */
class OffloadTest extends HubTestSupport {

    /** 20 greenlets each block 200 ms in Thread.sleep through offload: they overlap. */
    @Test
    void offloadedBlockingCallsOverlap() {
        long start = System.nanoTime();
        inHub(() -> {
            List<Greenlet<?>> gs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                gs.add(spawn(() -> offload(() -> {
                    Thread.sleep(MEDIUM_MS);
                    return null;
                })));
            }
            joinall(gs);
            for (Greenlet<?> g : gs) {
                assertThat(g.isSuccessful()).isTrue();
            }
        });
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(elapsedMs).isGreaterThanOrEqualTo(MEDIUM_MS).isLessThan(20 * MEDIUM_MS / 4);
    }

    /** While one greenlet is offloaded, the others still run one at a time. */
    @Test
    void othersStillRunOneAtATimeDuringAnOffload() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        inHub(() -> {
            Greenlet<Void> blocker = spawn(() -> offload(() -> {
                Thread.sleep(SHORT_MS);
                return null;
            }));
            List<Greenlet<?>> gs = new ArrayList<>(List.of(blocker));
            for (int i = 0; i < 50; i++) {
                gs.add(spawn(() -> {
                    for (int k = 0; k < 20; k++) {
                        maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                        running.decrementAndGet();
                        sleep(0);
                    }
                }));
            }
            joinall(gs);
        });
        assertThat(maxRunning.get()).isEqualTo(1);
    }

    @Test
    void offloadPassesTheValueAndTheCheckedExceptionThrough() {
        inHub(() -> {
            assertThat(offload(() -> 42)).isEqualTo(42);
            IOException io = new IOException("disk");
            assertThatThrownBy(() -> offload(() -> {
                throw io;
            })).isSameAs(io);
        });
    }

    @Test
    void offloadOnAPlainThreadJustCalls() throws Exception {
        Thread caller = Thread.currentThread();
        assertThat(offload(() -> Thread.currentThread() == caller)).isTrue();
    }

    /** A kill interrupts the offloaded call, lands when it returns, and leaves no interrupt behind. */
    @Test
    void killInterruptsAnOffloadedCall() {
        long start = System.nanoTime();
        inHub(() -> {
            Greenlet<Object> g = spawn(() -> {
                try {
                    return offload(() -> {
                        Thread.sleep(LONG_MS * 10);
                        return null;
                    });
                } finally {
                    log("interrupt cleared: " + !Thread.currentThread().isInterrupted());
                }
            });
            sleep(SHORT_MS);
            assertThat(g.isOffloaded()).isTrue();
            g.kill();
            assertThat(g.isKilled()).as("the kill wins over the InterruptedException it caused").isTrue();
        });
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(LONG_MS);
        assertThat(events).containsExactly("interrupt cleared: true");
    }
}
