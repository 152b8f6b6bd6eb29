package dev.greenlet;

import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** docs/ARCHITECTURE.md invariant 4: threads that are no greenlet may use a hub, and block where they wait. */
class OutsideThreadsTest extends HubTestSupport {

    /** A plain thread spawns and joins; its greenlet starts at once, concurrently with it. */
    /**
     * A hub installed as the default takes plain threads' spawns until it is uninstalled, and
     * then the one installed before it (none here) is back: what the Spring starter does.
     */
    @Test
    void anInstalledDefaultHubTakesPlainThreadsSpawnsUntilUninstalled() {
        Hub before = Hub.installDefault(hub);
        try {
            assertThat(Hub.getDefault()).isSameAs(hub);
            Greenlet<Integer> g = spawn(() -> 1);
            assertThat(g.hub()).isSameAs(hub);
            assertThat(g.get()).isEqualTo(1);
        } finally {
            Hub.uninstallDefault(hub, before);
        }
        assertThat(Hub.getDefault()).isNotSameAs(hub);
        Hub other = new Hub("other");
        Hub.installDefault(hub);
        Hub.installDefault(other);
        Hub.uninstallDefault(hub, before);
        assertThat(Hub.getDefault()).as("a hub installed since stays").isSameAs(other);
        Hub.uninstallDefault(other, hub);
        assertThat(Hub.getDefault()).isSameAs(hub);
        hub.close();
        assertThat(Hub.getDefault()).as("a closed installed hub is passed over").isNotSameAs(hub);
        Hub.uninstallDefault(hub, before);
    }

    @Test
    void plainThreadSpawnsAndJoins() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        Greenlet<String> g = hub.spawn(() -> {
            started.countDown();
            sleep(1);
            return "from greenlet";
        });
        assertThat(started.await(LONG_MS, TimeUnit.MILLISECONDS)).as("started without the caller yielding").isTrue();
        assertThat(g.get()).isEqualTo("from greenlet");
        assertThat(Greenlet.current()).isNull();
    }

    /** A greenlet joins a greenlet of another hub; both hubs keep running their own greenlets. */
    @Test
    void greenletJoinsAGreenletOfAnotherHub() {
        try (Hub other = new Hub("other")) {
            Greenlet<String> remote = other.spawn(() -> {
                sleep(SHORT_MS);
                return "remote";
            });
            String got = hub.run(() -> {
                Greenlet<Void> local = spawn(() -> log("local greenlet ran while the joiner waited"));
                String v = remote.get();
                local.join();
                return v;
            });
            assertThat(got).isEqualTo("remote");
            assertThat(events).containsExactly("local greenlet ran while the joiner waited");
        }
    }

    /** Gevent.run from two plain threads at once: both enter the hub and interleave cooperatively. */
    @Test
    void runFromTwoPlainThreadsAtOnce() throws Exception {
        AtomicInteger concurrentlyRunning = new AtomicInteger();
        AtomicInteger maxConcurrentlyRunning = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        List<Integer> results = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 2; t++) {
            int id = t;
            threads.add(Thread.ofPlatform().start(() -> results.add(hub.run(() -> {
                int sum = 0;
                for (int i = 0; i < 100; i++) {
                    maxConcurrentlyRunning.accumulateAndGet(concurrentlyRunning.incrementAndGet(), Math::max);
                    sum += id;
                    concurrentlyRunning.decrementAndGet();
                    sleep(0);
                }
                return sum;
            }))));
        }
        for (Thread t : threads) {
            t.join(LONG_MS);
            assertThat(t.isAlive()).isFalse();
        }
        assertThat(results).containsExactlyInAnyOrder(0, 100);
        assertThat(maxConcurrentlyRunning.get()).isEqualTo(1);
    }

    /** A plain thread waiting in join is interrupted: it stops waiting with a CancellationException. */
    @Test
    void interruptedPlainThreadStopsWaiting() throws Exception {
        Greenlet<Void> forever = hub.spawn(() -> sleep(LONG_MS * 10));
        List<Throwable> thrown = new ArrayList<>();
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                forever.join();
            } catch (Throwable t) {
                thrown.add(t);
            }
        });
        Parked.awaitParked(waiter, forever);
        waiter.interrupt();
        waiter.join(LONG_MS);
        assertThat(thrown).singleElement().isInstanceOf(java.util.concurrent.CancellationException.class);
        forever.kill();
    }

    /** A plain thread sleeping through Gevent.sleep blocks like Thread.sleep and keeps its identity. */
    @Test
    void sleepOnAPlainThreadBlocksIt() {
        long start = System.nanoTime();
        Gevent.sleep(Duration.ofMillis(SHORT_MS));
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(SHORT_MS);
        Gevent.sleep(0);
    }
}
