package dev.greenlet;

import static dev.greenlet.Gevent.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * {@link Greenlet#killUrgently()} and the bounded {@link Hub#shutdownQuietly(Duration, Duration)}
 * (docs/ARCHITECTURE.md, "Kill delivery"): an urgent kill runs ahead of every greenlet that is
 * merely ready, so a shutdown keeps its limit under load; a greenlet that holds its hub or
 * ignores its kill is abandoned and named, and the shutdown returns anyway. Order is measured
 * in turns of ready greenlets, never in milliseconds.
 */
class UrgentKillTest extends HubTestSupport {

    private static final int READY = 2000;

    /** {@code READY} greenlets that yield to each other for ever, each counting its turns in {@code turns}. */
    private List<Greenlet<?>> spinners(Hub on, AtomicLong turns, AtomicBoolean stop) {
        List<Greenlet<?>> all = new ArrayList<>();
        for (int i = 0; i < READY; i++) {
            all.add(on.spawn(() -> {
                while (!stop.get()) {
                    sleep(0);
                    turns.incrementAndGet();
                }
            }));
        }
        return all;
    }

    /** Waits (bounded) until the spinners have gone round a few times: every one of them is in the ready queue. */
    private static void awaitRounds(AtomicLong turns) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LONG_MS);
        while (turns.get() < 3L * READY) {
            assertThat(System.nanoTime() - deadline).as("spinners never got going").isNegative();
            Thread.sleep(1);
        }
    }

    /** Waits (bounded) until {@code g} is parked: in a wait of the library, or, with {@code foreign}, any JDK wait. */
    private static void awaitParked(Greenlet<?> g, boolean foreign) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LONG_MS);
        while (true) {
            Thread t = g.thread();
            boolean parked = foreign
                    ? t != null && (t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING)
                    : g.waitingOn() != null;
            if (parked) {
                return;
            }
            assertThat(System.nanoTime() - deadline).as(g + " never parked").isNegative();
            Thread.sleep(1);
        }
    }

    /** A greenlet that waits (in a library wait, or with {@code foreign} in Thread.sleep) and records {@code turns} as it dies. */
    private static Greenlet<?> target(Hub on, AtomicLong turns, AtomicLong seenAtDeath, boolean foreign) {
        return on.spawn(() -> {
            try {
                if (foreign) {
                    Thread.sleep(LONG_MS * 4);
                } else {
                    sleep(LONG_MS * 4);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                seenAtDeath.set(turns.get());
            }
        });
    }

    /**
     * How many turns of ready greenlets pass between a kill of {@code victim} and its death.
     * The kill comes from a greenlet of the hub, which reads the count and kills in one turn:
     * no ready greenlet can run in between, however the OS schedules the test's threads.
     */
    private static long turnsUntilDeath(Greenlet<?> victim, AtomicLong turns, AtomicLong seenAtDeath, boolean urgently) {
        AtomicLong before = new AtomicLong();
        Greenlet<?> killer = victim.hub().spawn(() -> {
            before.set(turns.get());
            if (urgently) {
                victim.killUrgently();
            } else {
                victim.kill(false, null);
            }
        });
        assertThat(killer.join(Duration.ofMillis(LONG_MS))).isTrue();
        assertThat(victim.join(Duration.ofMillis(LONG_MS))).as(victim + " died of its kill").isTrue();
        assertThat(victim.isKilled()).isTrue();
        return seenAtDeath.get() - before.get();
    }

    private void urgentKillGoesAheadOfReadyGreenlets(boolean foreign) throws InterruptedException {
        AtomicLong turns = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong plainSeen = new AtomicLong();
        AtomicLong urgentSeen = new AtomicLong();
        Greenlet<?> plain = target(hub, turns, plainSeen, foreign);
        Greenlet<?> urgent = target(hub, turns, urgentSeen, foreign);
        List<Greenlet<?>> spinners = spinners(hub, turns, stop);
        try {
            awaitRounds(turns);
            awaitParked(plain, foreign);
            awaitParked(urgent, foreign);
            if (!foreign) {
                // (From a greenlet, a kill of a JDK wait on the carrier engine is a JDK handoff:
                // it runs next anyway, so only a library wait shows the plain order.)
                long ordinary = turnsUntilDeath(plain, turns, plainSeen, false);
                assertThat(ordinary).as("a plain kill queues behind the ready greenlets (gevent's order)")
                        .isGreaterThan(READY / 2);
            } else {
                plain.kill();
            }
            long expedited = turnsUntilDeath(urgent, turns, urgentSeen, true);
            assertThat(expedited).as("an urgent kill goes ahead of them").isLessThan(READY / 10);
        } finally {
            stop.set(true);
            Gevent.joinall(spinners, Duration.ofMillis(LONG_MS), false);
        }
    }

    @Test
    void urgentKillOfALibraryWaitGoesAheadOfReadyGreenlets() throws InterruptedException {
        urgentKillGoesAheadOfReadyGreenlets(false);
    }

    /** On the carrier engine a JDK wait (Thread.sleep) is interrupted ahead of the queue too. */
    @Test
    void urgentKillOfAForeignWaitGoesAheadOfReadyGreenlets() throws InterruptedException {
        org.junit.jupiter.api.Assumptions.assumeTrue(hub.engine() == Hub.Engine.CARRIER,
                "carrier engine only: on the permit engine a greenlet in Thread.sleep holds the hub: nothing is ready behind it");
        urgentKillGoesAheadOfReadyGreenlets(true);
    }

    /** A greenlet that is itself ready (it yields) moves to the front when killed urgently. */
    @Test
    void urgentKillMovesAReadyGreenletToTheFront() throws InterruptedException {
        AtomicLong turns = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong seen = new AtomicLong();
        Greenlet<?> victim = hub.spawn(() -> {
            try {
                while (true) {
                    sleep(0);
                }
            } finally {
                seen.set(turns.get());
            }
        });
        List<Greenlet<?>> spinners = spinners(hub, turns, stop);
        try {
            awaitRounds(turns);
            long expedited = turnsUntilDeath(victim, turns, seen, true);
            assertThat(expedited).isLessThan(READY / 10);
        } finally {
            stop.set(true);
            Gevent.joinall(spinners, Duration.ofMillis(LONG_MS), false);
        }
    }

    /**
     * A greenlet that survives its urgent kill (it catches the GreenletExit) takes ordinary
     * turns again: while it yields in a loop, another greenlet that yields too makes progress.
     */
    @Test
    void aGreenletThatSurvivesItsUrgentKillTakesOrdinaryTurnsAgain() throws InterruptedException {
        AtomicLong others = new AtomicLong();
        AtomicLong othersMeanwhile = new AtomicLong(-1);
        AtomicBoolean caught = new AtomicBoolean();
        AtomicBoolean done = new AtomicBoolean();
        Greenlet<?> survivor = hub.spawn(() -> {
            try {
                sleep(LONG_MS * 4);
            } catch (GreenletExit e) {
                caught.set(true);
            }
            long before = others.get();
            for (int i = 0; i < 200; i++) {
                sleep(0);
            }
            othersMeanwhile.set(others.get() - before);
            done.set(true);
        });
        Greenlet<?> other = hub.spawn(() -> {
            while (!done.get()) {
                sleep(0);
                others.incrementAndGet();
            }
        });
        awaitParked(survivor, false);
        survivor.killUrgently();
        assertThat(survivor.join(Duration.ofMillis(LONG_MS))).isTrue();
        assertThat(other.join(Duration.ofMillis(LONG_MS))).isTrue();
        assertThat(caught).isTrue();
        assertThat(othersMeanwhile.get()).as("turns the other greenlet had while the survivor yielded 200 times")
                .isGreaterThan(100);
    }

    /**
     * A shutdown under load: greenlets waiting for I/O (here a sleep), killed first, die
     * before almost all of the ready greenlets, although every one of those is being killed too
     * and is already in the ready queue. Order of death, not time, is what is measured.
     */
    @Test
    void shutdownKillsAheadOfReadyGreenlets() throws InterruptedException {
        Hub loaded = new Hub("loaded");
        AtomicLong turns = new AtomicLong();
        AtomicLong deaths = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<AtomicLong> rank = new ArrayList<>();
        List<Greenlet<?>> waiting = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            AtomicLong r = new AtomicLong();
            rank.add(r);
            waiting.add(loaded.spawn(() -> {
                try {
                    sleep(LONG_MS * 4);
                } finally {
                    r.set(deaths.incrementAndGet());
                }
            }));
        }
        List<Greenlet<?>> spinners = new ArrayList<>();
        for (int i = 0; i < READY; i++) {
            spinners.add(loaded.spawn(() -> {
                try {
                    while (!stop.get()) {
                        sleep(0);
                        turns.incrementAndGet();
                    }
                } finally {
                    deaths.incrementAndGet();
                }
            }));
        }
        try {
            awaitRounds(turns);
            for (Greenlet<?> g : waiting) {
                awaitParked(g, false);
            }
            List<Greenlet<?>> killed = loaded.shutdownQuietly(Duration.ZERO, Duration.ofMillis(LONG_MS));
            assertThat(killed).containsAll(waiting).containsAll(spinners);
            assertThat(Hub.abandoned(killed)).isEmpty();
            for (AtomicLong r : rank) {
                assertThat(r.get()).as("place in the order of death of a waiting greenlet (of %d)", READY + 20)
                        .isBetween(1L, (long) READY / 10);
            }
        } finally {
            stop.set(true);
            loaded.close();
        }
    }

    /**
     * A greenlet in a CPU loop holds its hub (either engine): its kill cannot land, so the
     * shutdown returns after the kill grace and names it, rather than hang. It dies of the
     * kill once it lets go.
     */
    @Test
    void shutdownAbandonsAGreenletInACpuLoopAndReturns() throws Exception {
        Hub hogged = new Hub("hogged");
        AtomicBoolean release = new AtomicBoolean();
        AtomicBoolean spinning = new AtomicBoolean();
        Greenlet<?> hog = hogged.spawn(() -> {
            spinning.set(true);
            while (!release.get()) {
                Thread.onSpinWait();
            }
        });
        Greenlet<?> sleeper = hogged.spawn(() -> sleep(LONG_MS));
        try {
            awaitTrue(spinning);
            List<Greenlet<?>> killed = CompletableFuture
                    .supplyAsync(() -> hogged.shutdownQuietly(Duration.ZERO, Duration.ofMillis(MEDIUM_MS)))
                    .get(LONG_MS, TimeUnit.MILLISECONDS); // returns: grace + kill grace, not for ever
            assertThat(killed).contains(hog);
            assertThat(Hub.abandoned(killed)).as("named as abandoned").contains(hog);
        } finally {
            release.set(true);
        }
        assertThat(hog.join(Duration.ofMillis(LONG_MS))).isTrue();
        assertThat(hog.isKilled()).as("the kill lands at its end").isTrue();
        assertThat(sleeper.join(Duration.ofMillis(LONG_MS))).isTrue();
    }

    /**
     * A greenlet stuck in a lock that another thread holds and that no interrupt ends
     * (a deadlock, as far as the hub can tell): the shutdown returns and names it.
     */
    @Test
    void shutdownAbandonsADeadlockedGreenletAndReturns() throws Exception {
        Hub stuck = new Hub("deadlocked");
        ReentrantLock lock = new ReentrantLock();
        CompletableFuture<Void> holderLocked = new CompletableFuture<>();
        CompletableFuture<Void> letGo = new CompletableFuture<>();
        Thread holder = Thread.ofPlatform().start(() -> {
            lock.lock();
            try {
                holderLocked.complete(null);
                letGo.join();
            } finally {
                lock.unlock();
            }
        });
        holderLocked.get(LONG_MS, TimeUnit.MILLISECONDS);
        Greenlet<?> blocked = stuck.spawn(() -> {
            lock.lock(); // not interruptible
            lock.unlock();
        });
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LONG_MS);
            while (!lock.hasQueuedThreads()) {
                assertThat(System.nanoTime() - deadline).as("the greenlet never blocked on the lock").isNegative();
                Thread.sleep(1);
            }
            List<Greenlet<?>> killed = CompletableFuture
                    .supplyAsync(() -> stuck.shutdownQuietly(Duration.ZERO, Duration.ofMillis(MEDIUM_MS)))
                    .get(LONG_MS, TimeUnit.MILLISECONDS);
            assertThat(Hub.abandoned(killed)).containsExactly(blocked);
        } finally {
            letGo.complete(null);
            holder.join(LONG_MS);
        }
        assertThat(blocked.join(Duration.ofMillis(LONG_MS))).isTrue();
        assertThat(blocked.isKilled()).isTrue();
    }

    private static void awaitTrue(AtomicBoolean flag) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LONG_MS);
        while (!flag.get()) {
            assertThat(System.nanoTime() - deadline).as("never happened").isNegative();
            Thread.sleep(1);
        }
    }
}
