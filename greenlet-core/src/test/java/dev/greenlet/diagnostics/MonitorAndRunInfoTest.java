package dev.greenlet.diagnostics;

import static dev.greenlet.Gevent.joinall;
import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import dev.greenlet.HubTestSupport;

import dev.greenlet.event.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The blocking-hub monitor and run-info dumps. */
class MonitorAndRunInfoTest extends HubTestSupport {

    /** A greenlet that calls Thread.sleep(300) is reported once, with that frame in its stack. */
    @Test
    void monitorReportsABlockingGreenletOnceWithItsStack() throws Exception {
        List<HubMonitor.BlockingReport> reports = Collections.synchronizedList(new ArrayList<>());
        try (HubMonitor monitor = HubMonitor.start(hub, Duration.ofMillis(100))) {
            monitor.removeListener(HubMonitor.LOGGING);
            monitor.addListener(reports::add);
            Greenlet<Void> blocker = hub.spawn(() -> blockWithoutACooperativePoint(300));
            blocker.join();
            Thread.sleep(100);
            assertThat(reports).hasSize(1);
            HubMonitor.BlockingReport report = reports.get(0);
            assertThat(report.greenlet()).isSameAs(blocker);
            assertThat(report.blockedFor()).isGreaterThanOrEqualTo(Duration.ofMillis(100));
            if (hub.engine() == Hub.Engine.PERMIT) {
                assertThat(report.stack()).anyMatch(f -> f.getClassName().equals("java.lang.Thread") && f.getMethodName().equals("sleep"));
            } else {
                assertThat(report.stack()).anyMatch(f -> f.getMethodName().equals("busyFor"));
            }
            assertThat(report.stack()).anyMatch(f -> f.getClassName().equals(MonitorAndRunInfoTest.class.getName()));
            assertThat(report.format()).contains(hub.engine() == Hub.Engine.PERMIT ? "Gevent.sleep" : "sleep(0)").contains(blocker.name());
            assertThat(monitor.stallCount()).isOne();
        }
    }

    /**
     * Permit engine: a greenlet holds a monitor across a cooperative point (an offloaded call,
     * as a patched socket read is); the next one blocks on that monitor holding the permit. The
     * monitor reports it once; no public API names a virtual thread's monitor owner (and no thread
     * dump is taken), so the report names the greenlet that may own it and says the hub is then
     * deadlocked, with the fix.
     * (The hub stays deadlocked: that is the point; it is left behind, unclosed.)
     */
    @Test
    void monitorReportsAPossiblePermitEngineDeadlockNamingTheLikelyOwner() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(hub.engine() == Hub.Engine.PERMIT, "permit engine only");
        Hub deadlocked = new Hub("deadlocked", Hub.Engine.PERMIT);
        deadlocked.setErrorHandler((g, e) -> reported.add(e));
        List<HubMonitor.BlockingReport> reports = Collections.synchronizedList(new ArrayList<>());
        Object lock = new Object();
        java.util.concurrent.CountDownLatch secondIsBlocked = new java.util.concurrent.CountDownLatch(1);
        HubMonitor monitor = HubMonitor.start(deadlocked, Duration.ofMillis(100));
        monitor.removeListener(HubMonitor.LOGGING);
        monitor.addListener(reports::add);
        Greenlet<?>[] gs = new Greenlet<?>[2];
        gs[0] = deadlocked.spawn(() -> {
            synchronized (lock) {
                Gevent.offload(() -> {
                    secondIsBlocked.await(); // the permit is elsewhere now: the second greenlet runs
                    return null;
                });
            }
            return null;
        });
        gs[1] = deadlocked.spawn(() -> {
            synchronized (lock) {
                log("second got the lock");
            }
        });
        long end = System.nanoTime() + 5_000_000_000L;
        while (gs[1].thread() == null || gs[1].thread().getState() != Thread.State.BLOCKED) {
            assertThat(System.nanoTime()).isLessThan(end);
            Thread.sleep(1);
        }
        secondIsBlocked.countDown(); // the first returns from offload and waits for the permit: deadlock
        while (reports.isEmpty() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        Thread.sleep(300);
        monitor.close();
        assertThat(reports).hasSize(1);
        HubMonitor.BlockingReport report = reports.get(0);
        assertThat(report.greenlet()).isSameAs(gs[1]);
        assertThat(report.advice()).contains("deadlocked").contains("possible owners").contains(gs[0].toString())
                .startsWith("Set greenlet.monkey.patch-all=true");
        assertThat(report.format()).contains(gs[1].name());
        assertThat(events).isEmpty();
    }

    /** The advice fits the stalled call: a file read is told to offload, a CPU loop to sleep(0). */
    @Test
    void stallAdviceFitsTheStalledCall() {
        List<StackTraceElement> fileRead = List.of(
                new StackTraceElement("java.io.FileInputStream", "readBytes", null, -2),
                new StackTraceElement("com.example.App", "load", "App.java", 10));
        assertThat(StallDiagnosis.advice(hub.parksCooperatively(), Thread.State.RUNNABLE, fileRead)).contains("Gevent.offload");
        List<StackTraceElement> http = List.of(
                new StackTraceElement("jdk.internal.net.http.HttpClientImpl", "send", null, 1),
                new StackTraceElement("com.example.App", "call", "App.java", 10));
        assertThat(StallDiagnosis.advice(false, Thread.State.WAITING, http)).contains("Monkey.cooperative")
                .doesNotContain("patchSocket");
        List<StackTraceElement> loop = List.of(new StackTraceElement("com.example.App", "compute", "App.java", 10));
        assertThat(StallDiagnosis.advice(hub.parksCooperatively(), Thread.State.RUNNABLE, loop)).contains("sleep(0)");
        List<StackTraceElement> lock = List.of(
                new StackTraceElement("java.util.concurrent.locks.LockSupport", "park", null, 1),
                new StackTraceElement("com.zaxxer.hikari.util.ConcurrentBag", "borrow", null, 1));
        assertThat(StallDiagnosis.advice(false, Thread.State.WAITING, lock)).contains("patch-all");
    }

    /** A busy but cooperative workload, yielding often, is never reported. */
    @Test
    void monitorIsSilentUnderABusyCooperativeWorkload() throws Exception {
        List<HubMonitor.BlockingReport> reports = Collections.synchronizedList(new ArrayList<>());
        try (HubMonitor monitor = HubMonitor.start(hub, Duration.ofMillis(50))) {
            monitor.removeListener(HubMonitor.LOGGING);
            monitor.addListener(reports::add);
            long end = System.nanoTime() + 500_000_000L;
            inHub(() -> {
                List<Greenlet<?>> gs = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    gs.add(spawn(() -> {
                        while (System.nanoTime() < end) {
                            busyFor(0);
                            sleep(0);
                        }
                    }));
                }
                joinall(gs);
            });
            assertThat(reports).isEmpty();
        }
    }

    @Test
    void runInfoShowsEachGreenletsStateWhatItWaitsOnAndItsStack() {
        Event event = new Event();
        inHub(() -> {
            Greenlet<Void> sleeper = spawn(() -> sleep(LONG_MS)).setName("sleeper");
            Greenlet<Boolean> waiter = spawn(() -> event.await()).setName("waiter");
            var offloaded = spawn(() -> Gevent.offload(() -> {
                event.await();
                return null;
            })).setName("offloaded");
            sleep(0);
            Greenlet<Void> ready = spawn(() -> { }).setName("ready");
            List<GreenletInfo> infos = GreenletInfo.runInfo(hub);
            assertThat(infos).extracting(GreenletInfo::name).contains("sleeper", "waiter", "offloaded", "ready");
            for (GreenletInfo info : infos) {
                switch (info.name()) {
                    case "sleeper" -> {
                        assertThat(info.state()).isEqualTo(Hub.GreenletState.SLEEPING);
                        assertThat(info.waitingOn()).startsWith("a sleep until ").contains(" ms left)");
                    }
                    case "waiter" -> {
                        assertThat(info.state()).isEqualTo(Hub.GreenletState.WAITING);
                        assertThat(info.waitingOn()).isEqualTo("an Event (not set)");
                        assertThat(info.applicationFrame().getClassName()).isEqualTo(MonitorAndRunInfoTest.class.getName());
                        assertThat(info.spawnedBy()).contains("Greenlet");
                    }
                    case "offloaded" -> assertThat(info.state()).isEqualTo(Hub.GreenletState.OFFLOADED);
                    case "ready" -> assertThat(info.state()).isEqualTo(Hub.GreenletState.READY);
                    default -> {
                        assertThat(info.state()).isEqualTo(Hub.GreenletState.RUNNING);
                        assertThat(info.stack()).anyMatch(f -> f.getMethodName().equals("runInfo"));
                    }
                }
            }
            assertThat(GreenletInfo.formatRunInfo(hub)).contains("Hub 'MonitorAndRunInfoTest'").contains("\"sleeper\" SLEEPING on a sleep until ").contains(" ms left) at " + MonitorAndRunInfoTest.class.getName())
                    .contains("SLEEPING").contains("at ");
            event.set();
            sleeper.kill();
            joinall(List.of(waiter, offloaded, ready));
        });
    }

    /** The monitor's current view of a stall, which the Actuator health indicator reads. */
    @Test
    void monitorShowsTheCurrentBlockingWhileItLasts() throws Exception {
        try (HubMonitor monitor = HubMonitor.start(hub, Duration.ofMillis(50))) {
            monitor.removeListener(HubMonitor.LOGGING);
            java.util.concurrent.atomic.AtomicBoolean release = new java.util.concurrent.atomic.AtomicBoolean();
            Greenlet<Void> blocker = hub.spawn(() -> {
                while (!release.get()) { // a CPU loop: no cooperative point until the test lets go
                    Thread.onSpinWait();
                }
            });
            try {
                long end = System.nanoTime() + LONG_MS * 1_000_000;
                while (monitor.currentBlocking().compareTo(Duration.ofMillis(100)) < 0) {
                    assertThat(System.nanoTime()).as("the monitor saw the stall within %d ms", LONG_MS).isLessThan(end);
                    Thread.sleep(1);
                }
                assertThat(monitor.currentHolder()).isSameAs(blocker);
            } finally {
                release.set(true);
            }
            blocker.join();
            // The carrier may still be finishing the blocker's turn when join returns: wait for it.
            long end = System.nanoTime() + LONG_MS * 1_000_000;
            while (!monitor.currentBlocking().isZero() && System.nanoTime() < end) {
                Thread.sleep(1);
            }
            assertThat(monitor.currentBlocking()).as("nothing holds the hub").isEqualTo(Duration.ZERO);
        }
    }

    /** The hub counts how its greenlets ended, for the metrics. */
    @Test
    void hubCountsFinishedFailedAndKilledGreenlets() {
        inHub(() -> {
            Greenlet<Integer> ok = spawn(() -> 1);
            Greenlet<Object> bad = spawn(() -> {
                throw new IllegalStateException("bad");
            });
            Greenlet<Void> victim = spawn(() -> sleep(LONG_MS));
            sleep(0);
            victim.kill();
            joinall(List.of(ok, bad));
        });
        assertThat(expectReported()).singleElement().satisfies(e -> assertThat(e).hasMessage("bad"));
        assertThat(hub.finishedCount()).isEqualTo(4); // the run block too
        assertThat(hub.failedCount()).isOne();
        assertThat(hub.killedCount()).isOne();
        assertThat(hub.spawnedCount()).isEqualTo(4);
    }

    /** With timing on, the hub measures how long ready greenlets wait for their turn. */
    @Test
    void turnWaitTimingMeasuresTheWaitForTheTurn() {
        hub.setTurnWaitTiming(true);
        inHub(() -> {
            Greenlet<Void> waiting = spawn(() -> { });
            busyFor(SHORT_MS); // the spawned greenlet is ready and waits all this time
            waiting.join();
        });
        assertThat(hub.turnWaitNanos()).isGreaterThanOrEqualTo(SHORT_MS * 1_000_000);
        assertThat(hub.timedTurns()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void completedGreenletIsDeadWithItsValueAndNeverRuns() {
        Greenlet<String> done = Greenlet.completed("v");
        assertThat(done.isDead() && done.isSuccessful()).isTrue();
        assertThat(done.get()).isEqualTo("v");
        assertThat(done.join(Duration.ZERO)).isTrue();
    }
}
