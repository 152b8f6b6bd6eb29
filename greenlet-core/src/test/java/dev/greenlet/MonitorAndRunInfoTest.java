package dev.greenlet;

import static dev.greenlet.Gevent.joinall;
import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;

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
        try (HubMonitor monitor = hub.startMonitor(Duration.ofMillis(100))) {
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
            assertThat(report.format()).contains("Gevent.offload").contains(blocker.name());
            assertThat(monitor.stallCount()).isOne();
        }
    }

    /** A busy but cooperative workload, yielding often, is never reported. */
    @Test
    void monitorIsSilentUnderABusyCooperativeWorkload() throws Exception {
        List<HubMonitor.BlockingReport> reports = Collections.synchronizedList(new ArrayList<>());
        try (HubMonitor monitor = hub.startMonitor(Duration.ofMillis(50))) {
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
            List<GreenletInfo> infos = hub.runInfo();
            assertThat(infos).extracting(GreenletInfo::name).contains("sleeper", "waiter", "offloaded", "ready");
            for (GreenletInfo info : infos) {
                switch (info.name()) {
                    case "sleeper" -> assertThat(info.state()).isEqualTo(GreenletInfo.State.SLEEPING);
                    case "waiter" -> {
                        assertThat(info.state()).isEqualTo(GreenletInfo.State.WAITING);
                        assertThat(info.waitingOn()).startsWith("Event@");
                        assertThat(info.spawnedBy()).contains("Greenlet");
                    }
                    case "offloaded" -> assertThat(info.state()).isEqualTo(GreenletInfo.State.OFFLOADED);
                    case "ready" -> assertThat(info.state()).isEqualTo(GreenletInfo.State.READY);
                    default -> {
                        assertThat(info.state()).isEqualTo(GreenletInfo.State.RUNNING);
                        assertThat(info.stack()).anyMatch(f -> f.getMethodName().equals("runInfo"));
                    }
                }
            }
            assertThat(hub.formatRunInfo()).contains("Hub 'MonitorAndRunInfoTest'").contains("<Greenlet \"sleeper\"")
                    .contains("SLEEPING").contains("at ");
            event.set();
            sleeper.kill();
            joinall(List.of(waiter, offloaded, ready));
        });
    }

    /** The monitor's current view of a stall, which the Actuator health indicator reads. */
    @Test
    void monitorShowsTheCurrentBlockingWhileItLasts() throws Exception {
        try (HubMonitor monitor = hub.startMonitor(Duration.ofMillis(50))) {
            monitor.removeListener(HubMonitor.LOGGING);
            java.util.concurrent.CountDownLatch blocking = new java.util.concurrent.CountDownLatch(1);
            Greenlet<Void> blocker = hub.spawn(() -> {
                blocking.countDown();
                busyFor(400);
            });
            blocking.await();
            Thread.sleep(250);
            assertThat(monitor.currentBlocking()).isGreaterThanOrEqualTo(Duration.ofMillis(100));
            assertThat(monitor.currentHolder()).isSameAs(blocker);
            blocker.join();
            Thread.sleep(100);
            assertThat(monitor.currentBlocking()).isEqualTo(Duration.ZERO);
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
        assertThat(hub.finishedCount()).isEqualTo(4); // the run block too
        assertThat(hub.failedCount()).isOne();
        assertThat(hub.killedCount()).isOne();
        assertThat(hub.spawnedCount()).isEqualTo(4);
    }

    /** With timing on, the hub measures how long ready greenlets wait for the permit. */
    @Test
    void permitWaitTimingMeasuresTheWaitForTheTurn() {
        hub.setPermitWaitTiming(true);
        inHub(() -> {
            Greenlet<Void> waiting = spawn(() -> { });
            busyFor(SHORT_MS); // the spawned greenlet is ready and waits all this time
            waiting.join();
        });
        assertThat(hub.permitWaitNanos()).isGreaterThanOrEqualTo(SHORT_MS * 1_000_000);
        assertThat(hub.permitGrants()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void completedGreenletIsDeadWithItsValueAndNeverRuns() {
        Greenlet<String> done = Greenlet.completed("v");
        assertThat(done.isDead() && done.isSuccessful()).isTrue();
        assertThat(done.get()).isEqualTo("v");
        assertThat(done.join(Duration.ZERO)).isTrue();
    }
}
