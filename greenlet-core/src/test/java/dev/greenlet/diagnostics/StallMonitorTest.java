package dev.greenlet.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import dev.greenlet.HubTestSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The monitor's stall events (start, progress, end at the true length), class loading, and the advice. */
class StallMonitorTest extends HubTestSupport {

    private final List<HubMonitor.BlockingReport> started = Collections.synchronizedList(new ArrayList<>());
    private final List<Duration> progress = Collections.synchronizedList(new ArrayList<>());
    private final List<HubMonitor.StallEnd> ended = Collections.synchronizedList(new ArrayList<>());

    private HubMonitor watch(Duration threshold) {
        HubMonitor monitor = HubMonitor.start(hub, threshold);
        monitor.removeListener(HubMonitor.LOGGING);
        monitor.addListener(new HubMonitor.Listener() {
            @Override
            public void blocked(HubMonitor.BlockingReport report) {
                started.add(report);
            }

            @Override
            public void stillBlocked(HubMonitor.BlockingReport report, Duration soFar) {
                progress.add(soFar);
            }

            @Override
            public void ended(HubMonitor.StallEnd end) {
                ended.add(end);
            }
        });
        return monitor;
    }

    /** Waits, bounded, until the monitor has seen {@code n} stalls end. */
    private void awaitEnded(int n) throws InterruptedException {
        long end = System.nanoTime() + LONG_MS * 1_000_000;
        while (ended.size() < n) {
            assertThat(System.nanoTime()).as("the monitor saw %d stall(s) end within %d ms", n, LONG_MS).isLessThan(end);
            Thread.sleep(5);
        }
    }

    /**
     * A stall 12 times the threshold is reported when it starts, while it doubles, and when it
     * ends, with a length near its true one (not the threshold): the end is measured, so the
     * length is at least 80% of the stall (the sampling period is a fifth of the threshold).
     */
    @Test
    void aStallIsReportedAtItsTrueLengthWhenItEnds() throws Exception {
        try (HubMonitor monitor = watch(Duration.ofMillis(50))) {
            Greenlet<Void> hog = hub.spawn(() -> blockWithoutACooperativePoint(600));
            hog.join();
            awaitEnded(1);
            assertThat(started).hasSize(1);
            HubMonitor.StallEnd end = ended.get(0);
            assertThat(end.start()).isSameAs(started.get(0));
            assertThat(end.greenlet()).isSameAs(hog);
            assertThat(end.lasted()).isGreaterThanOrEqualTo(Duration.ofMillis(480)).isGreaterThan(started.get(0).blockedFor());
            assertThat(progress).isNotEmpty().allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(end.lasted()));
            assertThat(monitor.stallCount()).isOne();
        }
    }

    /** While a stall lasts past the threshold, isStalled and stalledFor say so; before and after, not. */
    @Test
    void isStalledWhileAStallLasts() throws Exception {
        try (HubMonitor monitor = watch(Duration.ofMillis(50))) {
            assertThat(monitor.isStalled()).isFalse();
            java.util.concurrent.atomic.AtomicBoolean release = new java.util.concurrent.atomic.AtomicBoolean();
            Greenlet<Void> hog = hub.spawn(() -> {
                while (!release.get()) {
                    Thread.onSpinWait();
                }
            });
            try {
                long end = System.nanoTime() + LONG_MS * 1_000_000;
                while (started.isEmpty()) {
                    assertThat(System.nanoTime()).as("stalled within %d ms", LONG_MS).isLessThan(end);
                    Thread.sleep(1);
                }
                assertThat(monitor.isStalled()).isTrue();
                assertThat(monitor.stalledFor()).isGreaterThanOrEqualTo(Duration.ofMillis(50));
            } finally {
                release.set(true);
            }
            hog.join();
            awaitEnded(1);
            assertThat(monitor.isStalled()).isFalse();
            assertThat(monitor.stalledFor()).isEqualTo(Duration.ZERO);
        }
    }

    /** Holds the hub in its static initialiser: first use of a class, as at start-up. */
    static final class SlowToInitialise {
        static final long LOADED_AT;

        static {
            busyFor(400);
            LOADED_AT = System.nanoTime();
        }

        private SlowToInitialise() {
        }
    }

    /** Another class of the same kind, first used by a greenlet that then stalls the hub itself. */
    static final class SlowToInitialiseToo {
        static final long LOADED_AT;

        static {
            busyFor(200);
            LOADED_AT = System.nanoTime();
        }

        private SlowToInitialiseToo() {
        }
    }

    /**
     * A greenlet that leaves a slow class initialiser and then holds the hub without a cooperative
     * point is reported, with the turn's whole length: the class loading excused only itself.
     */
    @Test
    void aStallRightAfterClassLoadingIsReportedWithItsWholeLength() throws Exception {
        try (HubMonitor monitor = watch(Duration.ofMillis(50))) {
            hub.spawn(() -> {
                long loadedAt = SlowToInitialiseToo.LOADED_AT;
                blockWithoutACooperativePoint(300);
                return loadedAt;
            }).join();
            awaitEnded(1);
            assertThat(started).hasSize(1);
            assertThat(started.get(0).stack()).noneMatch(f -> f.getMethodName().equals("<clinit>"));
            assertThat(ended.get(0).lasted()).as("the initialiser's 200 ms and the stall's 300 ms")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(450));
            assertThat(monitor.classLoadingCount()).isOne();
        }
    }

    /**
     * A class initialiser holding the hub 8 times the threshold is class loading, not a stall of
     * the application: no report; the monitor counts it as let pass. A real stall in the first
     * second of a fresh hub (as in a request's first second) is still reported.
     */
    @Test
    void classLoadingIsNotAStallButARealStallInTheFirstSecondIs() throws Exception {
        try (HubMonitor monitor = watch(Duration.ofMillis(50))) {
            hub.spawn(() -> blockWithoutACooperativePoint(300)).join();
            awaitEnded(1);
            assertThat(started).hasSize(1);
            hub.spawn(() -> SlowToInitialise.LOADED_AT).join();
            long end = System.nanoTime() + LONG_MS * 1_000_000;
            while (monitor.classLoadingCount() == 0) {
                assertThat(System.nanoTime()).as("the monitor saw the class loading within %d ms", LONG_MS).isLessThan(end);
                Thread.sleep(5);
            }
            hub.spawn(() -> blockWithoutACooperativePoint(300)).join(); // the monitor saw the initialiser end before this
            awaitEnded(2);
            assertThat(started).as(() -> started.stream().map(HubMonitor.BlockingReport::format).toList().toString())
                    .hasSize(2).noneMatch(r -> r.stack().stream().anyMatch(f -> f.getMethodName().equals("<clinit>")));
            assertThat(monitor.classLoadingCount()).isOne();
        }
    }

    private static StackTraceElement frame(String cls, String method) {
        return new StackTraceElement(cls, method, null, 1);
    }

    /**
     * Permit engine: the advice leads with patch-all; a socket read under HikariCP's pool (or any
     * lock or pool) never offers patch-socket; a plain socket read offers it after patch-all.
     */
    @Test
    void permitEngineAdviceLeadsWithPatchAllAndNeverOffersPatchSocketUnderAPool() {
        List<StackTraceElement> hikariSocket = List.of(
                frame("sun.nio.ch.NioSocketImpl", "read"),
                frame("org.postgresql.core.PGStream", "receive"),
                frame("com.zaxxer.hikari.pool.HikariPool", "getConnection"),
                frame("com.example.Repo", "find"));
        String advice = StallDiagnosis.advice(false, Thread.State.RUNNABLE, hikariSocket);
        assertThat(advice).startsWith("Set greenlet.monkey.patch-all=true")
                .doesNotContain("patch-socket=true").doesNotContain("Monkey.patchSocket()");
        List<StackTraceElement> poolWait = List.of(
                frame("jdk.internal.misc.Unsafe", "park"),
                frame("java.util.concurrent.locks.LockSupport", "parkNanos"),
                frame("java.util.concurrent.SynchronousQueue", "poll"),
                frame("com.zaxxer.hikari.util.ConcurrentBag", "borrow"),
                frame("com.example.Repo", "find"));
        assertThat(StallDiagnosis.advice(false, Thread.State.TIMED_WAITING, poolWait))
                .startsWith("Set greenlet.monkey.patch-all=true").doesNotContain("patch-socket=true");
        List<StackTraceElement> objectWait = List.of(frame("java.lang.Object", "wait0"), frame("java.lang.Object", "wait"),
                frame("com.example.Pool", "take"));
        assertThat(StallDiagnosis.advice(false, Thread.State.WAITING, objectWait))
                .startsWith("Set greenlet.monkey.patch-all=true").doesNotContain("patch-socket=true");
        List<StackTraceElement> plainSocket = List.of(frame("sun.nio.ch.NioSocketImpl", "read"),
                frame("com.example.Client", "call"));
        assertThat(StallDiagnosis.advice(false, Thread.State.RUNNABLE, plainSocket))
                .startsWith("Set greenlet.monkey.patch-all=true").contains("greenlet.monkey.patch-socket=true");
        List<StackTraceElement> sleep = List.of(frame("java.lang.Thread", "sleep"), frame("com.example.App", "run"));
        assertThat(StallDiagnosis.advice(false, Thread.State.TIMED_WAITING, sleep))
                .startsWith("Set greenlet.monkey.patch-all=true");
        assertThat(StallDiagnosis.advice(true, Thread.State.RUNNABLE, List.of(frame("com.example.App", "loop"))))
                .doesNotContain("patch-all").contains("sleep(0)");
    }

    /** Class loading is told by its frames: defineClass, loadClass, a static initialiser; a sleep is not. */
    @Test
    void classLoadingIsToldByItsFrames() {
        assertThat(StallDiagnosis.isClassLoading(List.of(frame("java.lang.ClassLoader", "defineClass1"),
                frame("java.lang.ClassLoader", "loadClass"), frame("com.example.App", "handle")))).isTrue();
        assertThat(StallDiagnosis.isClassLoading(List.of(frame("com.example.Config", "<clinit>")))).isTrue();
        assertThat(StallDiagnosis.isClassLoading(List.of(frame("java.lang.Thread", "sleep"),
                frame("com.example.App", "handle")))).isFalse();
    }
}
