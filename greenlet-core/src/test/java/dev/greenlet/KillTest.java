package dev.greenlet;

import static dev.greenlet.Gevent.joinall;
import static dev.greenlet.Gevent.killall;
import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** docs/ARCHITECTURE.md invariant 6: kills land at a cooperative point, and never get swallowed by catch (Exception). */
class KillTest extends HubTestSupport {

    /** A greenlet killed before it started never runs; its joiners wake and its links fire. */
    @Test
    void killBeforeStartNeverRunsButLinksFire() {
        inHub(() -> {
            Greenlet<String> g = spawn(() -> {
                log("ran");
                return "value";
            });
            g.link(dead -> log("link saw dead=" + dead.isDead()));
            g.kill();
            assertThat(g.isDead()).isTrue();
            assertThat(g.isSuccessful()).as("GreenletExit counts as success, as in gevent").isTrue();
            assertThat(g.exception()).isNull();
            assertThatThrownBy(g::get).isInstanceOf(CancellationException.class).hasCauseInstanceOf(GreenletExit.class);
            sleep(0);
        });
        assertThat(events).containsExactly("link saw dead=true");
        assertThat(reported).as("GreenletExit is not reported").isEmpty();
    }

    /**
     * Greenlets killed while they wait for their first turn get no turn and no thread: the
     * hub switches no more than if they had never been spawned.
     */
    @Test
    void killBeforeStartCostsNoTurnAndNoThread() {
        inHub(() -> {
            List<Greenlet<Void>> doomed = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                doomed.add(spawn(() -> log("ran")));
            }
            Greenlet<Void> later = hub.spawnLater(Duration.ofMillis(SHORT_MS), () -> log("ran later"));
            for (Greenlet<Void> g : doomed) {
                g.kill(false, null);
            }
            later.kill(false, null);
            long before = hub.switchCount();
            sleep(0);
            sleep(SHORT_MS * 2); // past the spawnLater delay
            assertThat(hub.switchCount() - before).as("turns taken by greenlets killed before their start")
                    .isLessThan(10);
            assertThat(doomed).allMatch(Greenlet::isKilled);
            assertThat(later.isKilled()).isTrue();
            assertThat(hub.liveCount()).isEqualTo(1);
        });
        assertThat(events).isEmpty();
    }

    /**
     * Carrier engine: a greenlet parked in a JDK wait while it holds its own handle's monitor
     * is killed all the same. The carrier delivers the interrupt without that monitor; had it
     * waited for it, the hub would be deadlocked (the holder needs the carrier to go on).
     */
    @Test
    void killReachesAGreenletParkedWhileHoldingItsOwnMonitor() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(hub.engine() == Hub.Engine.CARRIER,
                "carrier engine only: on the permit engine Thread.sleep holds the hub and is no wait a kill can reach");
        CountDownLatch holding = new CountDownLatch(1);
        Greenlet<Void> g = hub.spawn(() -> {
            synchronized (Greenlet.current()) {
                holding.countDown();
                try {
                    Thread.sleep(LONG_MS * 4);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        assertThat(holding.await(LONG_MS, TimeUnit.MILLISECONDS)).isTrue();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LONG_MS);
        while (g.thread() != null && g.thread().getState() != Thread.State.TIMED_WAITING) {
            assertThat(System.nanoTime() - deadline).as("never parked in Thread.sleep").isNegative();
            Thread.sleep(1);
        }
        g.kill(false, null);
        assertThat(g.join(Duration.ofMillis(LONG_MS))).as("the kill reached it").isTrue();
        assertThat(g.isKilled()).isTrue();
        Greenlet<Integer> after = hub.spawn(() -> 1);
        assertThat(after.get(Duration.ofMillis(LONG_MS))).as("the hub goes on").isEqualTo(1);
    }

    /** A greenlet that was never started and is killed still runs its links on its hub. */
    @Test
    void killOfUnstartedGreenletRunsLinksInTheHub() throws Exception {
        Greenlet<String> g = new Greenlet<>(hub, "never-started", () -> "x");
        CountDownLatch linked = new CountDownLatch(1);
        g.link(dead -> {
            assertThat(Greenlet.current()).as("links run in a greenlet of the same hub").isNotNull();
            assertThat(Greenlet.current().hub()).isSameAs(hub);
            assertThat(hub.runningGreenlet()).as("holding the turn").isSameAs(Greenlet.current());
            assertThat(dead.isDead()).isTrue();
            linked.countDown();
        });
        g.kill(false, null);
        assertThat(linked.await(LONG_MS, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(g.isDead()).isTrue();
    }

    /** A kill wakes a greenlet parked in sleep at once; its finally block runs. */
    @Test
    void killWhileParkedInSleepLandsAtOnceAndRunsFinally() {
        long start = System.nanoTime();
        inHub(() -> {
            Greenlet<Void> sleeper = spawn(() -> {
                try {
                    log("sleeping");
                    sleep(LONG_MS);
                    log("woke normally");
                } finally {
                    log("finally");
                }
            });
            sleep(0);
            sleeper.kill();
            log("killer resumes");
        });
        assertThat(events).containsExactly("sleeping", "finally", "killer resumes");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(LONG_MS / 2);
    }

    /** A kill wakes a greenlet parked in join. */
    @Test
    void killWhileParkedInJoin() {
        inHub(() -> {
            Greenlet<Void> forever = spawn(() -> sleep(LONG_MS * 10));
            Greenlet<Void> joiner = spawn(() -> {
                try {
                    log("joining");
                    forever.join();
                } catch (GreenletExit e) {
                    log("joiner killed in join");
                    throw e;
                }
            });
            sleep(0);
            joiner.kill();
            assertThat(forever.isDead()).isFalse();
            forever.kill();
        });
        assertThat(events).containsExactly("joining", "joiner killed in join");
    }

    /** catch (Exception e) does not swallow a kill. */
    @Test
    void catchExceptionDoesNotSwallowAKill() {
        inHub(() -> {
            Greenlet<Void> g = spawn(() -> {
                try {
                    log("sleeping");
                    sleep(LONG_MS);
                } catch (Exception e) {
                    log("swallowed");
                }
                log("carried on");
            });
            sleep(0);
            g.kill();
        });
        assertThat(events).as("it reached its sleep, and nothing ran after the kill").containsExactly("sleeping");
    }

    /** A plain thread outside the hub can kill a greenlet parked in sleep. */
    @Test
    void killFromAThreadOutsideTheHub() throws Exception {
        CountDownLatch sleeping = new CountDownLatch(1);
        Greenlet<Void> g = hub.spawn(() -> {
            sleeping.countDown();
            sleep(LONG_MS);
        });
        assertThat(sleeping.await(LONG_MS, TimeUnit.MILLISECONDS)).isTrue();
        g.kill(true, Duration.ofMillis(LONG_MS));
        assertThat(g.isDead()).isTrue();
        assertThatThrownBy(g::get).isInstanceOf(CancellationException.class);
    }

    /** A greenlet in a CPU loop is killed at its next cooperative point, not before. */
    @Test
    void killOfCpuLoopLandsAtNextCooperativePoint() throws Exception {
        CountDownLatch looping = new CountDownLatch(1);
        Greenlet<Void> g = hub.spawn(() -> {
            looping.countDown();
            busyFor(MEDIUM_MS); // the kill arrives during this loop
            log("loop done, no kill yet");
            sleep(0);
            log("after cooperative point");
        });
        assertThat(looping.await(LONG_MS, TimeUnit.MILLISECONDS)).isTrue();
        g.kill(true, Duration.ofMillis(LONG_MS));
        assertThat(events).containsExactly("loop done, no kill yet");
    }

    /** killall kills every greenlet and waits for all of them. */
    @Test
    void killallKillsEveryGreenlet() {
        inHub(() -> {
            List<Greenlet<?>> gs = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                gs.add(spawn(() -> {
                    log("sleeping");
                    sleep(LONG_MS);
                    log("woke");
                }));
            }
            sleep(0);
            killall(gs);
            assertThat(gs).allMatch(Greenlet::isDead).allMatch(Greenlet::isSuccessful);
        });
        assertThat(events).as("each reached its sleep, none woke").hasSize(100).containsOnly("sleeping");
    }

    /** kill with a custom exception: the greenlet fails with it and the failure is reported. */
    @Test
    void killWithACustomExceptionIsAFailure() {
        IllegalStateException why = new IllegalStateException("stop");
        inHub(() -> {
            Greenlet<Void> g = spawn(() -> {
                log("sleeping");
                sleep(LONG_MS);
            });
            sleep(0);
            g.kill(why);
            assertThat(g.isSuccessful()).isFalse();
            assertThat(g.exception()).isSameAs(why);
        });
        assertThat(events).containsExactly("sleeping");
        assertThat(expectReported()).containsExactly(why);
    }

    /** Killing yourself raises right there. */
    @Test
    void killingTheCurrentGreenletRaisesAtOnce() {
        inHub(() -> {
            Greenlet<Void> g = spawn(() -> {
                log("before");
                Greenlet.current().kill();
                log("after");
            });
            g.join();
            assertThat(g.isSuccessful()).isTrue();
        });
        assertThat(events).containsExactly("before");
    }

    /** A kill of a dead greenlet does nothing; a non-blocking kill returns before the death. */
    @Test
    void nonBlockingKillReturnsBeforeDeath() {
        inHub(() -> {
            Greenlet<Void> g = spawn(() -> {
                try {
                    log("sleeping");
                    sleep(LONG_MS);
                } finally {
                    log("dying");
                }
            });
            sleep(0);
            g.kill(false, null);
            log("kill returned");
            g.join();
            g.kill();
        });
        assertThat(events).containsExactly("sleeping", "kill returned", "dying");
    }

    /** A killed spawnLater greenlet never runs; its twin, not killed, does. */
    @Test
    void killOfSpawnLaterGreenletBeforeItsDelay() {
        inHub(() -> {
            Greenlet<Void> later = Gevent.spawnLater(Duration.ofMillis(SHORT_MS), () -> log("killed one ran"));
            Greenlet<Void> twin = Gevent.spawnLater(Duration.ofMillis(SHORT_MS), () -> log("twin ran"));
            later.kill();
            twin.join();
        });
        assertThat(events).containsExactly("twin ran");
    }
}
