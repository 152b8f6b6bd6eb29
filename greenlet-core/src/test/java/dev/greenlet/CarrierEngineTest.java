package dev.greenlet;

import static dev.greenlet.Gevent.joinall;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the carrier engine adds to the shared suite (docs/ARCHITECTURE.md, section 4.2 and the hazards of section 6
 * the prototype found): the JDK's own waits are cooperative points, a lock held across one
 * cannot deadlock the hub, kills and timeouts reach foreign waits through an interrupt and still
 * end the greenlet killed, virtual threads started in a greenlet are plain virtual threads, and
 * the carrier survives what is thrown at it. Runs only in the carrier-engine execution.
 */
class CarrierEngineTest extends HubTestSupport {

    @BeforeEach
    void carrierEngineOnly() {
        Assumptions.assumeTrue(hub.engine() == Hub.Engine.CARRIER, "carrier engine only");
    }

    private static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Runs {@code n} copies of {@code body} as greenlets and returns the wall time in ms. */
    private long fanOut(int n, Runnable body) {
        long start = System.nanoTime();
        inHub(() -> {
            List<Greenlet<?>> gs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                gs.add(spawn(body));
            }
            joinall(gs);
            for (Greenlet<?> g : gs) {
                assertThat(g.exception()).isNull();
            }
        });
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Thread.sleep, Object.wait, a future's get and a queue's take park: 20 of each overlap. */
    @Test
    void jdkWaitsOverlap() {
        long serial = 20 * MEDIUM_MS;
        assertThat(fanOut(20, () -> sleepMillis(MEDIUM_MS))).isLessThan(serial / 4);

        Object monitor = new Object();
        assertThat(fanOut(20, () -> {
            synchronized (monitor) {
                try {
                    monitor.wait(MEDIUM_MS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
        })).isLessThan(serial / 4);

        assertThat(fanOut(20, () -> {
            CompletableFuture<String> f = new CompletableFuture<>();
            CompletableFuture.delayedExecutor(MEDIUM_MS, TimeUnit.MILLISECONDS).execute(() -> f.complete("x"));
            assertThat(f.join()).isEqualTo("x");
        })).isLessThan(serial / 4);

        assertThat(fanOut(20, () -> {
            ArrayBlockingQueue<String> q = new ArrayBlockingQueue<>(1);
            try {
                assertThat(q.poll(MEDIUM_MS, TimeUnit.MILLISECONDS)).isNull();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        })).isLessThan(serial / 4);
    }

    /**
     * The permit engine's deadlock: a greenlet holds a monitor (or a ReentrantLock) across a
     * wait, the next blocks on it. On the carrier engine the blocked one parks, the holder
     * finishes its wait and releases: everything completes, one holder at a time.
     */
    @Test
    void aLockHeldAcrossAWaitDoesNotDeadlockTheHub() {
        Object monitor = new Object();
        List<String> order = new ArrayList<>();
        long synchronizedMs = fanOut(5, () -> {
            synchronized (monitor) {
                order.add("in");
                sleepMillis(SHORT_MS);
                order.add("out");
            }
        });
        assertThat(order).hasSize(10);
        for (int i = 0; i < 10; i += 2) {
            assertThat(order.subList(i, i + 2)).containsExactly("in", "out");
        }
        assertThat(synchronizedMs).isGreaterThanOrEqualTo(5 * SHORT_MS);

        ReentrantLock lock = new ReentrantLock();
        AtomicReference<Integer> holders = new AtomicReference<>(0);
        fanOut(5, () -> {
            lock.lock();
            try {
                assertThat(holders.getAndUpdate(h -> h + 1)).isZero();
                sleepMillis(SHORT_MS);
                holders.getAndUpdate(h -> h - 1);
            } finally {
                lock.unlock();
            }
        });
    }

    /** Kill in Thread.sleep: delivered by interrupt, the greenlet ends killed and is not reported. */
    @Test
    void killInThreadSleepEndsKilled() throws Exception {
        CountDownLatch sleeping = new CountDownLatch(1);
        Greenlet<Void> g = hub.spawn(() -> {
            sleeping.countDown();
            sleepMillis(LONG_MS); // throws IllegalStateException on the interrupt
        });
        assertThat(sleeping.await(5, TimeUnit.SECONDS)).isTrue();
        Parked.awaitThreadParked(g);
        long start = System.nanoTime();
        g.kill();
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(LONG_MS / 2);
        assertThat(g.isKilled()).isTrue();
        assertThat(reported).isEmpty();
    }

    /** A greenlet that swallows the interrupt and returns still ends killed: the kill lands at its end. */
    @Test
    void aSwallowedKillStillEndsTheGreenletKilled() throws Exception {
        CountDownLatch sleeping = new CountDownLatch(1);
        Greenlet<String> g = hub.spawn(() -> {
            sleeping.countDown();
            try {
                Thread.sleep(LONG_MS);
            } catch (InterruptedException swallowed) {
                return "returned anyway";
            }
            return "slept";
        });
        assertThat(sleeping.await(5, TimeUnit.SECONDS)).isTrue();
        Parked.awaitThreadParked(g);
        g.kill();
        assertThat(g.isKilled()).isTrue();
        assertThat(g.value()).isNull();
        assertThat(reported).isEmpty();
    }

    /**
     * A library that swallows the kill's interrupt and waits again gets interrupted again: every
     * JDK wait is a cooperative point on this engine, not only the first.
     */
    @Test
    void aKillIsDeliveredAgainToAWaitThatSwallowedIt() throws Exception {
        CountDownLatch sleeping = new CountDownLatch(1);
        Greenlet<String> g = hub.spawn(() -> {
            int interrupts = 0;
            while (true) {
                sleeping.countDown();
                try {
                    Thread.sleep(LONG_MS);
                    return "slept";
                } catch (InterruptedException swallowed) {
                    if (++interrupts == 2) {
                        throw new IllegalStateException("gave up after the second interrupt");
                    }
                }
            }
        });
        assertThat(sleeping.await(5, TimeUnit.SECONDS)).isTrue();
        Parked.awaitThreadParked(g);
        g.kill(false, null);
        assertThat(g.join(Duration.ofMillis(LONG_MS / 2))).as("the second interrupt ended it").isTrue();
        assertThat(g.isKilled()).isTrue();
        assertThat(reported).isEmpty();
    }

    /** Kill in a socket read: the read ends (the JDK closes the socket), the greenlet ends killed. */
    @Test
    void killInASocketReadEndsKilled() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CountDownLatch reading = new CountDownLatch(1);
            Greenlet<Integer> g = hub.spawn(() -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                    InputStream in = s.getInputStream();
                    reading.countDown();
                    return in.read(); // the server never writes
                }
            });
            try (Socket accepted = server.accept()) {
                assertThat(reading.await(5, TimeUnit.SECONDS)).isTrue();
                Parked.awaitThreadParked(g);
                g.kill();
                assertThat(g.isKilled()).isTrue();
                assertThat(reported).isEmpty();
            }
        }
    }

    /** Kill while waiting to enter a ReentrantLock that a plain thread holds: it lands once the lock is had. */
    @Test
    void killWhileWaitingForALockEndsKilledOnceAcquired() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        lock.lock();
        AtomicBoolean acquired = new AtomicBoolean();
        Greenlet<Void> g;
        try {
            g = hub.spawn(() -> {
                lock.lock();
                try {
                    acquired.set(true);
                    sleepMillis(LONG_MS); // interrupted: the kill is pending since the lock() wait
                } finally {
                    lock.unlock();
                }
            });
            Parked.awaitThreadParked(g);
            g.kill(false, null);
            assertThat(g.join(Duration.ofMillis(MEDIUM_MS))).as("lock() ignores the interrupt until it acquires").isFalse();
        } finally {
            lock.unlock();
        }
        assertThat(g.join(Duration.ofSeconds(5))).isTrue();
        assertThat(acquired).isTrue();
        assertThat(g.isKilled()).isTrue();
        assertThat(lock.isLocked()).isFalse();
        assertThat(reported).isEmpty();
    }

    /** A Timeout whose wait is a foreign one (Thread.sleep) still ends the block with that Timeout. */
    @Test
    void timeoutInAForeignWaitRaisesTheTimeout() {
        inHub(() -> {
            long start = System.nanoTime();
            assertThatThrownBy(() -> Gevent.withTimeout(Duration.ofMillis(SHORT_MS), () -> {
                Thread.sleep(LONG_MS);
                return "slept";
            })).isInstanceOf(Timeout.class);
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(LONG_MS / 2);
            assertThat(Gevent.withTimeout(Duration.ofMillis(SHORT_MS), () -> {
                Thread.sleep(LONG_MS);
                return "slept";
            }, "fallback")).isEqualTo("fallback");
            assertThat(Thread.currentThread().isInterrupted()).as("the timeout's interrupt is cleared").isFalse();
        });
        assertThat(reported).isEmpty();
    }

    /**
     * docs/ARCHITECTURE.md hazard 9: a virtual thread started inside a greenlet is a plain virtual thread
     * of the JDK's default scheduler, not a greenlet: it runs while its greenlet keeps the
     * carrier busy, and it can do socket I/O meanwhile (hazard 1: nothing of the JDK's waits on
     * the hub).
     */
    @Test
    void virtualThreadsStartedInAGreenletRunBesideTheHub() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write(42);
                } catch (Exception ignored) {
                    // the test fails on the value below
                }
            });
            inHub(() -> {
                AtomicReference<Integer> read = new AtomicReference<>();
                Thread child = Thread.ofVirtual().start(() -> {
                    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                        read.set(s.getInputStream().read());
                    } catch (Exception e) {
                        read.set(-2);
                    }
                });
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (read.get() == null && System.nanoTime() < end) {
                    Thread.onSpinWait(); // holds the carrier: no cooperative point here
                }
                assertThat(read.get()).as("the child read while its greenlet held the carrier").isEqualTo(42);
                assertThat(Gevent.getCurrent()).isNotNull();
                try {
                    child.join(); // a JDK wait: cooperative
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            acceptor.join(5000);
        }
    }

    /**
     * Hazard 9 once the greenlet is dead: its thread's scheduler forgets the thread at the end
     * (so that a kept handle does not keep it), yet still tells the thread's task from that of
     * a virtual thread the greenlet started and that outlives it, which must go on running
     * beside the hub, never on the carrier.
     */
    @Test
    void aVirtualThreadThatOutlivesItsGreenletStillRunsBesideTheHub() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        AtomicBoolean childRan = new AtomicBoolean();
        AtomicReference<Thread> child = new AtomicReference<>();
        inHub(() -> {
            spawn(() -> {
                child.set(Thread.ofVirtual().start(() -> {
                    try {
                        go.await(); // parks after its greenlet is dead
                    } catch (InterruptedException e) {
                        return;
                    }
                    childRan.set(true);
                }));
            }).join();
            go.countDown();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!childRan.get() && System.nanoTime() < end) {
                Thread.onSpinWait(); // holds the carrier: no cooperative point here
            }
            assertThat(childRan.get()).as("the child ran while the hub's carrier was held").isTrue();
        });
        child.get().join();
    }

    /** Hazard 3: a task that throws on the carrier is logged, and the carrier goes on. */
    @Test
    void theCarrierSurvivesAThrowingTask() throws Exception {
        CarrierEngine carrier = (CarrierEngine) hub.engine;
        CountDownLatch ran = new CountDownLatch(1);
        carrier.runOnCarrier(() -> {
            ran.countDown();
            throw new IllegalStateException("thrown on purpose by the test");
        });
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(hub.run(() -> "still running")).isEqualTo("still running");
    }

    /** Hazard 8: the carrier is a daemon named after its hub; a closed, empty hub ends it. */
    @Test
    void theCarrierIsADaemonNamedAfterItsHubAndEndsWhenClosed() throws Exception {
        Hub own = new Hub("carrier-name-test", Hub.Engine.CARRIER);
        AtomicReference<Thread> carrier = new AtomicReference<>();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Greenlet<Void> g = own.spawn(() -> {
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("greenlet-carrier-carrier-name-test")) {
                carrier.set(t);
            }
        }
        assertThat(carrier.get()).isNotNull();
        assertThat(carrier.get().isDaemon()).isTrue();
        release.countDown();
        g.join();
        own.close();
        carrier.get().join(5000);
        assertThat(carrier.get().isAlive()).isFalse();
    }

    /** Hazard 2: a closed hub still runs what arrives for its greenlets, so a late wake-up is never lost. */
    @Test
    void aClosedHubStillRunsItsGreenletsToTheEnd() throws Exception {
        Hub own = new Hub("closing", Hub.Engine.CARRIER);
        CompletableFuture<String> later = new CompletableFuture<>();
        Greenlet<String> g = own.spawn(() -> {
            try {
                return later.get() + " and finished";
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Parked.awaitThreadParked(g);
        Thread closer = Thread.ofPlatform().start(() -> own.shutdown(Duration.ofSeconds(5)));
        Parked.until("the hub is closed", own::isClosed);
        later.complete("woken after close");
        closer.join();
        assertThat(g.get()).isEqualTo("woken after close and finished");
    }

    /**
     * A greenlet woken through the JDK by the running greenlet (here a future it completes) runs
     * next, before what was ready: what was handed to it is still there when it runs. The same
     * wake through the library (an Event) keeps gevent's FIFO order.
     */
    @Test
    void aJdkHandoffRunsTheWokenGreenletNextWhileLibraryWakesStayFifo() {
        inHub(() -> {
            CompletableFuture<String> future = new CompletableFuture<>();
            Greenlet<?> w = spawn(() -> log("woken with " + future.join()));
            Gevent.sleep(0); // w parks in join
            spawn(() -> log("ready 1"));
            spawn(() -> log("ready 2"));
            future.complete("the connection");
            Gevent.sleep(0);
            log("completer");
            w.join();
        });
        assertThat(events).containsExactly("woken with the connection", "ready 1", "ready 2", "completer");

        events.clear();
        inHub(() -> {
            dev.greenlet.event.Event event = new dev.greenlet.event.Event();
            Greenlet<?> w = spawn(() -> {
                event.await();
                log("woken");
            });
            Gevent.sleep(0);
            spawn(() -> log("ready 1"));
            spawn(() -> log("ready 2"));
            event.set();
            Gevent.sleep(0);
            log("setter");
            w.join();
        });
        assertThat(events).containsExactly("ready 1", "ready 2", "woken", "setter");
    }

    /**
     * Two greenlets handing items to each other through a SynchronousQueue (each handoff wakes
     * the other next) still leave the carrier to a third greenlet at least every other turn: it
     * finishes its 20 yields while they exchange 2,000 items, not after.
     */
    @Test
    void greenletsHandingOffToEachOtherDoNotStarveTheRest() {
        inHub(() -> {
            java.util.concurrent.SynchronousQueue<Integer> queue = new java.util.concurrent.SynchronousQueue<>();
            int items = 2_000;
            java.util.concurrent.atomic.AtomicInteger exchanged = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger exchangedWhenOtherDone = new java.util.concurrent.atomic.AtomicInteger(-1);
            Greenlet<?> producer = spawn(() -> {
                for (int i = 0; i < items; i++) {
                    try {
                        queue.put(i);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            Greenlet<?> consumer = spawn(() -> {
                for (int i = 0; i < items; i++) {
                    try {
                        queue.take();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    exchanged.incrementAndGet();
                }
            });
            Greenlet<?> other = spawn(() -> {
                for (int i = 0; i < 20; i++) {
                    Gevent.sleep(0);
                }
                exchangedWhenOtherDone.set(exchanged.get());
            });
            joinall(List.of(producer, consumer, other));
            assertThat(exchanged.get()).isEqualTo(items);
            assertThat(exchangedWhenOtherDone.get()).as("items exchanged when the third greenlet had had its 20 turns")
                    .isBetween(0, items / 2);
        });
    }
}
