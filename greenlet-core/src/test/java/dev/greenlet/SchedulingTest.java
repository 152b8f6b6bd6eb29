package dev.greenlet;

import static dev.greenlet.Gevent.joinall;
import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** docs/ARCHITECTURE.md invariants 1 to 3: one at a time, deterministic order, cooperative points only. */
class SchedulingTest extends HubTestSupport {

    /** Invariant 1: at most one greenlet of a hub runs user code at any instant. */
    @Test
    void atMostOneGreenletRunsAtATime() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        int[] unsynchronizedCounter = {0};
        inHub(() -> {
            List<Greenlet<?>> gs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                gs.add(spawn(() -> {
                    for (int step = 0; step < 50; step++) {
                        maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                        int read = unsynchronizedCounter[0];
                        Thread.onSpinWait();
                        unsynchronizedCounter[0] = read + 1;
                        running.decrementAndGet();
                        sleep(0);
                    }
                }));
            }
            joinall(gs);
        });
        assertThat(maxRunning.get()).isEqualTo(1);
        assertThat(unsynchronizedCounter[0]).as("no lost update without any lock").isEqualTo(200 * 50);
    }

    /** Invariant 1: each handoff is a happens-before edge, even across carrier threads. */
    @Test
    void plainFieldsWrittenBeforeASwitchAreSeenAfterIt() {
        long[] shared = new long[1];
        inHub(() -> {
            Greenlet<Void> a = spawn(() -> {
                for (int i = 0; i < 10_000; i++) {
                    assertThat(shared[0] % 2).isZero();
                    shared[0]++;
                    sleep(0);
                }
            });
            Greenlet<Void> b = spawn(() -> {
                for (int i = 0; i < 10_000; i++) {
                    assertThat(shared[0] % 2).isOne();
                    shared[0]++;
                    sleep(0);
                }
            });
            joinall(List.of(a, b));
            a.get();
            b.get();
        });
        assertThat(shared[0]).isEqualTo(20_000);
    }

    /** Invariant 2: a spawned greenlet first runs when its spawner reaches a cooperative point. */
    @Test
    void spawnedGreenletWaitsForItsSpawnersCooperativePoint() {
        inHub(() -> {
            spawn(() -> log("child"));
            log("spawner before sleep(0)");
            sleep(0);
            log("spawner after sleep(0)");
        });
        assertThat(events).containsExactly("spawner before sleep(0)", "child", "spawner after sleep(0)");
    }

    /** Invariant 2: sleep(0) puts the caller behind everything already ready, in FIFO order. */
    @Test
    void sleepZeroGoesBehindEverythingReady() {
        inHub(() -> {
            List<Greenlet<?>> gs = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                gs.add(spawn(() -> {
                    log(name + "1");
                    sleep(0);
                    log(name + "2");
                    sleep(0);
                    log(name + "3");
                }));
            }
            joinall(gs);
        });
        assertThat(events).containsExactly("a1", "b1", "c1", "a2", "b2", "c2", "a3", "b3", "c3");
    }

    /** Invariant 2: a greenlet whose wait ends appends itself behind those already ready. */
    @Test
    void greenletWhoseWaitEndsAppendsItself() {
        inHub(() -> {
            Greenlet<Void> target = spawn(() -> {
                sleep(0); // let the joiner start waiting first
                log("target ends");
            });
            Greenlet<Void> joiner = spawn(() -> {
                target.join();
                log("joiner resumes");
            });
            Greenlet<Void> other = spawn(() -> {
                log("other first");
                sleep(0);
                log("other second");
            });
            joinall(List.of(target, joiner, other));
        });
        // When target ends, "other" is already ready, so the joiner resumes behind it.
        assertThat(events).containsExactly("other first", "target ends", "other second", "joiner resumes");
    }

    /** Invariant 2: the same program gives the same interleaving, run after run. */
    @RepeatedTest(5)
    void sameProgramSameInterleaving() {
        List<String> first = interleaving();
        for (int run = 0; run < 20; run++) {
            assertThat(interleaving()).isEqualTo(first);
        }
    }

    private List<String> interleaving() {
        List<String> seen = new ArrayList<>();
        hub.run(() -> {
            List<Greenlet<?>> gs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int id = i;
                gs.add(spawn(() -> {
                    for (int step = 0; step <= id % 3; step++) {
                        seen.add(id + ":" + step);
                        if (id % 2 == 0) {
                            spawn(() -> seen.add(id + ":child"));
                        }
                        sleep(0);
                    }
                }));
            }
            joinall(gs);
            sleep(0);
        });
        return seen;
    }

    /** Invariant 2: timers fire in deadline order even when the hub was stalled past them all. */
    @Test
    void timersFireInDeadlineOrderAfterAStall() {
        inHub(() -> {
            List<Greenlet<?>> gs = new ArrayList<>();
            // Deadlines 20 ms apart from one base 100 ms ahead, whenever each sleeper gets to its
            // sleep: their order does not depend on how fast the sleepers start one after another
            // (a CI run once saw a pause of over 40 ms between two of them, with relative sleeps).
            long base = System.nanoTime() + 100_000_000L;
            for (int n : new int[] {5, 1, 4, 2, 3}) {
                gs.add(spawn(() -> {
                    sleep(Duration.ofNanos(base + n * 20_000_000L - System.nanoTime()));
                    log("woke " + n);
                }));
            }
            // every sleeper's deadline passes while this holds the turn
            gs.add(spawn(() -> busyFor(MEDIUM_MS + 100)));
            joinall(gs);
        });
        assertThat(events).containsExactly("woke 1", "woke 2", "woke 3", "woke 4", "woke 5");
    }

    /** Invariant 3: a non-cooperative blocking call keeps the turn and stalls the hub. */
    @Test
    void nonCooperativeBlockingStallsTheHub() {
        inHub(() -> {
            Greenlet<Void> blocker = spawn(() -> {
                log("blocker starts");
                blockWithoutACooperativePoint(MEDIUM_MS);
                log("blocker ends");
            });
            Greenlet<Void> other = spawn(() -> log("other runs"));
            joinall(List.of(blocker, other));
        });
        assertThat(events).containsExactly("blocker starts", "blocker ends", "other runs");
    }

    /** The carrier engine (patch-all): Thread.sleep parks the virtual thread, so it is a cooperative point. */
    @Test
    void threadSleepIsACooperativePointOnTheCarrierEngine() {
        org.junit.jupiter.api.Assumptions.assumeTrue(hub.engine() == Hub.Engine.CARRIER, "carrier engine only");
        inHub(() -> {
            Greenlet<Void> sleeper = spawn(() -> {
                log("sleeper starts");
                try {
                    Thread.sleep(MEDIUM_MS);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                log("sleeper ends");
            });
            Greenlet<Void> other = spawn(() -> log("other runs"));
            joinall(List.of(sleeper, other));
        });
        assertThat(events).containsExactly("sleeper starts", "other runs", "sleeper ends");
    }

    /**
     * The seam's capability, on either engine: {@link Hub#parksCooperatively()} says whether a
     * JDK wait (here {@code Thread.sleep}) passes the turn, which is what code outside the
     * engines (the socket patch, diagnostics) asks instead of naming the engine.
     */
    @Test
    void parksCooperativelySaysWhetherAJdkWaitPassesTheTurn() {
        inHub(() -> {
            Greenlet<Void> sleeper = spawn(() -> {
                log("sleeper starts");
                try {
                    Thread.sleep(MEDIUM_MS);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                log("sleeper ends");
            });
            Greenlet<Void> other = spawn(() -> log("other runs"));
            joinall(List.of(sleeper, other));
        });
        if (hub.parksCooperatively()) {
            assertThat(events).containsExactly("sleeper starts", "other runs", "sleeper ends");
        } else {
            assertThat(events).containsExactly("sleeper starts", "sleeper ends", "other runs");
        }
    }

    /** Invariant 3: cooperative sleeps overlap: 20 sleeps of 200 ms take far less than 20 x 200 ms. */
    @Test
    void cooperativeSleepsOverlap() {
        long start = System.nanoTime();
        inHub(() -> {
            List<Greenlet<?>> gs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                gs.add(spawn(() -> sleep(MEDIUM_MS)));
            }
            joinall(gs);
        });
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(elapsedMs).isGreaterThanOrEqualTo(MEDIUM_MS).isLessThan(20 * MEDIUM_MS / 4);
    }

    /** gevent's idle(): resumes only once no other greenlet is ready. */
    @Test
    void idleWaitsUntilNothingElseIsReady() {
        inHub(() -> {
            Greenlet<Void> idler = spawn(() -> {
                Gevent.idle();
                log("idle");
            });
            Greenlet<Void> busy = spawn(() -> {
                for (int i = 0; i < 3; i++) {
                    log("busy " + i);
                    sleep(0);
                }
            });
            joinall(List.of(idler, busy));
        });
        assertThat(events).containsExactly("busy 0", "busy 1", "busy 2", "idle");
    }

    /** spawnLater starts the greenlet only after its delay, and sleep(d) in a greenlet waits at least d. */
    @Test
    void spawnLaterStartsAfterItsDelay() {
        long start = System.nanoTime();
        inHub(() -> {
            Greenlet<Long> later = Gevent.spawnLater(Duration.ofMillis(SHORT_MS), () -> System.nanoTime());
            Greenlet<Void> now = spawn(() -> log("now"));
            assertThat(later.isStarted()).isTrue();
            later.join();
            log("later");
            assertThat(later.get() - start).isGreaterThanOrEqualTo(SHORT_MS * 1_000_000);
            now.join();
        });
        assertThat(events).containsExactly("now", "later");
    }

    /** Greenlets spawned inside a greenlet go to the spawner's hub, whichever hub is the default. */
    @Test
    void greenletsSpawnedInAGreenletGoToItsHub() {
        Hub seen = hub.run(() -> spawn(() -> Gevent.getHub()).get());
        assertThat(seen).isSameAs(hub);
        assertThat(hub.run(() -> spawn(() -> 1).spawningGreenlet())).isNotNull();
    }
}
