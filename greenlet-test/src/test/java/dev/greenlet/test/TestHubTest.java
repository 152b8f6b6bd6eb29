package dev.greenlet.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.event.Event;
import dev.greenlet.queue.Queue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** TestHub: virtual time on both engines, what the "done when" asks, and the JDK-wait report. */
class TestHubTest {

    private final List<TestHub> hubs = new ArrayList<>();

    private TestHub hub() {
        TestHub hub = new TestHub();
        assertThat(hub.engine()).isEqualTo(EngineSelection.engine());
        hubs.add(hub);
        return hub;
    }

    @AfterEach
    void closeHubs() {
        hubs.forEach(TestHub::close);
    }

    @Test
    void thirtySecondSleepTakesNoRealTime() {
        TestHub hub = hub();
        long start = System.nanoTime();
        String r = hub.run(() -> {
            Gevent.sleep(Duration.ofSeconds(30));
            return "woke";
        });
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        assertThat(r).isEqualTo("woke");
        assertThat(hub.currentTime()).isEqualTo(Duration.ofSeconds(30));
        assertThat(wall).as("wall time of a virtual 30 s sleep").isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void tenSecondTimeoutFallsBackInVirtualTime() {
        TestHub hub = hub();
        long start = System.nanoTime();
        String r = hub.run(() -> Gevent.withTimeout(Duration.ofSeconds(10), () -> {
            Gevent.sleep(Duration.ofMinutes(5));
            return "slow";
        }, "fallback"));
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        assertThat(r).isEqualTo("fallback");
        assertThat(hub.currentTime()).isEqualTo(Duration.ofSeconds(10));
        assertThat(wall).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void timersFireInDeadlineOrderAcrossGreenlets() {
        TestHub hub = hub();
        List<Throwable> failures = hub.expectFailures(); // the queue get times out
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        hub.run(() -> {
            Greenlet<?> late = hub.spawnLater(Duration.ofSeconds(3), () -> order.add("spawnLater 3 s"));
            Greenlet<?> a = Gevent.spawn(() -> {
                Gevent.sleep(Duration.ofSeconds(2));
                order.add("sleep 2 s");
            });
            Queue<String> q = new Queue<>();
            Greenlet<String> getter = Gevent.spawn(() -> q.get(Duration.ofSeconds(1)));
            Event never = new Event();
            assertThat(never.await(Duration.ofMillis(500))).isFalse();
            order.add("event 0.5 s");
            assertThat(getter.join(Duration.ofMinutes(1))).isTrue();
            order.add("queue 1 s: " + getter.exception().getClass().getSimpleName());
            Gevent.joinall(List.of(a, late));
        });
        assertThat(order).containsExactly("event 0.5 s", "queue 1 s: Empty", "sleep 2 s", "spawnLater 3 s");
        assertThat(hub.currentTime()).isEqualTo(Duration.ofSeconds(3));
        assertThat(failures).singleElement().isInstanceOf(dev.greenlet.queue.Empty.class);
    }

    @Test
    void advanceTimeByFromOutsideStepsTheClock() {
        TestHub hub = hub();
        hub.virtualTime().setAutojump(false);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        Greenlet<?> g = hub.spawn(() -> {
            Gevent.sleep(Duration.ofSeconds(30));
            order.add("woke");
        });
        hub.advanceTimeBy(Duration.ofSeconds(29));
        assertThat(order).isEmpty();
        assertThat(hub.currentTime()).isEqualTo(Duration.ofSeconds(29));
        hub.advanceTimeBy(Duration.ofSeconds(1));
        hub.runCurrent();
        assertThat(order).containsExactly("woke");
        assertThat(g.isDead()).isTrue();
        hub.spawn(() -> Gevent.sleep(Duration.ofHours(1)));
        hub.advanceUntilIdle();
        assertThat(hub.currentTime()).isEqualTo(Duration.ofSeconds(30).plusHours(1));
        assertThat(hub.liveCount()).isZero();
    }

    /** How many items the check-then-act race of {@link GreenletTestExtensionTest} oversells in {@code hub}. */
    static int oversold(TestHub hub) {
        int stock = hub.run(GreenletTestExtensionTest::sellTheLastItemTwice);
        return stock < 0 ? -stock : 0;
    }

    @Test
    void seededOrderFindsTheRaceAndReplaysIt() {
        assertThat(oversold(hub())).as("FIFO order").isZero();
        Long found = null;
        for (long seed = 0; seed < 100 && found == null; seed++) {
            TestHub seeded = new TestHub(seed);
            hubs.add(seeded);
            if (oversold(seeded) > 0) {
                found = seed;
            }
        }
        assertThat(found).as("a seed under 100 that oversells").isNotNull();
        for (int i = 0; i < 5; i++) {
            TestHub replay = new TestHub(found);
            hubs.add(replay);
            assertThat(oversold(replay)).as("replay of seed " + found).isPositive();
        }
    }

    @Test
    void jdkTimedWaitIsReportedNotWaitedFor() {
        TestHub hub = hub();
        long start = System.nanoTime();
        assertThatThrownBy(() -> hub.run(() -> {
            Greenlet<?> sleeper = Gevent.spawn(() -> Gevent.sleep(Duration.ofSeconds(30)));
            Thread.sleep(Duration.ofSeconds(30)); // real time: the mistake to report
            sleeper.join();
            return null;
        })).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("JDK timed wait")
                .hasMessageContaining("Thread.sleep")
                .hasMessageContaining("Gevent.sleep");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    /**
     * A socket read with no timeout keeps real time: virtual time does not jump over it, so a
     * withTimeout around a call to a server that answers (here in 300 ms of real time) gets the
     * answer, not the fallback.
     */
    @Test
    void anUntimedSocketReadStopsTheJumps() throws Exception {
        TestHub hub = hub();
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread answerer = Thread.ofPlatform().daemon().start(() -> {
                try (java.net.Socket s = server.accept()) {
                    Thread.sleep(300);
                    s.getOutputStream().write('!');
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            String r = hub.run(() -> Gevent.withTimeout(Duration.ofSeconds(10), () -> {
                try (java.net.Socket s = new java.net.Socket(server.getInetAddress(), server.getLocalPort())) {
                    return "answer " + (char) s.getInputStream().read();
                }
            }, "fallback"));
            answerer.join(Duration.ofSeconds(10));
            assertThat(r).isEqualTo("answer !");
            assertThat(hub.currentTime()).as("no jump while the read waited").isLessThan(Duration.ofSeconds(10));
        }
    }

    /** Greenlets that wait for each other, with no timer pending, are reported as a deadlock rather than left to hang. */
    @Test
    void aDeadlockIsReportedNotLeftToHang() {
        TestHub hub = hub();
        Event a = new Event();
        Event b = new Event();
        assertThatThrownBy(() -> hub.run(() -> {
            Greenlet<?> other = Gevent.spawn(() -> {
                a.await();
                b.set();
            });
            b.await();
            a.set();
            other.join();
            return null;
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("a deadlock").hasMessageContaining("waits on");
    }
}
