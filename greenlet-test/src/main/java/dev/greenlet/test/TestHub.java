package dev.greenlet.test;

import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import dev.greenlet.VirtualTime;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link Hub} on virtual time, for tests: time-based greenlet code runs at once and in a
 * deterministic order.
 *
 * <pre>{@code
 * TestHub hub = new TestHub();
 * String r = hub.run(() -> Gevent.withTimeout(Duration.ofSeconds(10), () -> slowCall(), "fallback"));
 * assertEquals("fallback", r);
 * assertEquals(Duration.ofSeconds(10), hub.currentTime());   // in a few milliseconds of real time
 * }</pre>
 *
 * <p><b>Time.</b> Every timer of the library runs on this hub's clock, not on
 * {@link System#nanoTime}: {@code sleep}, {@code spawnLater}, {@code Timeout} and
 * {@code withTimeout}, timed {@code join}/{@code get}/{@code wait}/{@code iwait}, the timed
 * operations of queues, semaphores and events, the timeouts of {@code killall} and
 * {@code Group.join}, and {@link dev.greenlet.Deadline#of} in its greenlets. Virtual time starts
 * at zero ({@link #currentTime()}) and <em>autojumps</em>: whenever no greenlet runs or is
 * ready and every one waits on the hub, it jumps to the earliest deadline and the timers due
 * then fire, in deadline order. {@link #advanceTimeBy}, {@link #runCurrent} and
 * {@link #advanceUntilIdle} step it by hand; to step only by hand from outside the hub, turn
 * autojump off ({@code virtualTime().setAutojump(false)}: {@link #run} still jumps).
 *
 * <p><b>Order.</b> {@code new TestHub()} keeps every hub's FIFO order among ready greenlets.
 * {@code new TestHub(seed)} picks the next greenlet among the ready ones by a random order
 * seeded with {@code seed}, still one at a time: a test that passes in FIFO order but depends
 * on it fails under some seed, and fails again under that seed ({@code @GreenletTest(seeds = 100)}
 * tries many and names the one that failed).
 *
 * <p><b>Limits.</b> JDK waits keep real time: {@code Thread.sleep}, a socket's timeout, a
 * connection pool's timed wait, {@code Future.get(timeout)}. Virtual time never jumps over
 * them (nor over an offloaded call or a wait on a future), and a greenlet of this hub found in a
 * JDK timed wait is reported: {@link #run} fails with an error that names the greenlet, its wait,
 * its stack and the fix, rather than waiting in real time or passing by luck. Code outside the
 * hub's greenlets (plain threads, executors) keeps real time too.
 *
 * <p>kotlinx.coroutines' {@code runTest} and Trio's {@code MockClock(autojump_threshold=0)}
 * offer the same for coroutines; gevent has nothing like it (its tests sleep).
 */
public class TestHub extends Hub {

    /** How long a step from outside the hub may wait, in real time, for the hub to be idle. */
    static final Duration REAL_LIMIT = Duration.ofSeconds(30);
    /** How often {@link #run} checks, in real time, for a JDK wait its greenlets are stuck in. */
    private static final Duration CHECK_EVERY = Duration.ofMillis(20);
    /** How long (real time) {@link #run} lets the hub wait for nothing before it calls it a deadlock. */
    static final Duration DEADLOCK_AFTER = Duration.ofSeconds(2);

    private final VirtualTime time;
    private final Long seed; // null: FIFO
    private final List<Greenlet<?>> failedGreenlets = new CopyOnWriteArrayList<>(); // what the error handler saw
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private volatile boolean failuresExpected;

    /** A test hub in FIFO order, on the engine new hubs get ({@link Hub.Engine#forNewHubs()}). */
    public TestHub() {
        this("test", Engine.forNewHubs(), null);
    }

    /** A test hub whose ready greenlets take turns in a random order seeded with {@code seed}. */
    public TestHub(long seed) {
        this("test-seed-" + seed, Engine.forNewHubs(), seed);
    }

    /** A test hub named {@code name} on {@code engine}; {@code seed} null for FIFO order. */
    public TestHub(String name, Engine engine, Long seed) {
        this(name, engine, seed, new VirtualTime(seed == null ? null : seededOrder(seed)));
    }

    private TestHub(String name, Engine engine, Long seed, VirtualTime time) {
        super(name, engine, time);
        this.time = time;
        this.seed = seed;
        setErrorHandler((g, e) -> {
            failedGreenlets.add(g);
            failures.add(e);
            if (!failuresExpected) {
                ErrorHandler.LOGGING.handleError(g, e);
            }
        });
    }

    /**
     * The greenlet failures this hub saw (exceptions other than {@code GreenletExit}), as its
     * error handler records them (the default one; {@link #setErrorHandler} replaces it).
     * {@code @GreenletTest} fails a test after which this is not empty, unless the test called
     * {@link #expectFailures()}.
     */
    public List<Throwable> failures() {
        return List.copyOf(failures);
    }

    /** The greenlets of {@link #failures()}, in the same order. */
    public List<Greenlet<?>> failedGreenlets() {
        return List.copyOf(failedGreenlets);
    }

    /**
     * Declares that greenlets of this hub are expected to fail (so {@code @GreenletTest} does not
     * fail the test for it, and they are not logged); returns the live list of failures, to assert on.
     */
    public List<Throwable> expectFailures() {
        failuresExpected = true;
        return java.util.Collections.unmodifiableList(failures);
    }

    /** Whether {@link #expectFailures()} was called. */
    public boolean failuresExpected() {
        return failuresExpected;
    }

    private static java.util.function.IntUnaryOperator seededOrder(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return random::nextInt; // called by the engine under its lock: one call at a time
    }

    /** The seed of its order; empty for FIFO. */
    public OptionalLong seed() {
        return seed == null ? OptionalLong.empty() : OptionalLong.of(seed);
    }

    /** Its clock, for what this class does not offer (autojump off, pending timers). */
    public VirtualTime virtualTime() {
        return time;
    }

    /** The virtual time passed since this hub was made. */
    public Duration currentTime() {
        return time.now();
    }

    /**
     * Runs {@code body} as a greenlet of this hub and waits for it, as {@link Hub#run} does,
     * with time jumping whenever the hub waits only for its timers (even if autojump is off).
     * Called in a greenlet of this hub, it simply calls {@code body}.
     *
     * @throws IllegalStateException if a greenlet of this hub is found in a JDK timed wait
     *         (see the class comment): the message names it, its stack and the fix; or if for
     *         2 s of real time every greenlet waited, with no timer pending (a deadlock): the
     *         message names each greenlet and what it waits on. The hub's greenlets are killed first
     */
    @Override
    public <T> T run(Callable<? extends T> body) {
        Greenlet<?> current = Greenlet.current();
        if (current != null && current.hub() == this) {
            return super.run(body);
        }
        Greenlet<T> g = spawn(body);
        time.withJumps(() -> {
            long waitingForNothingSince = 0;
            while (!g.join(CHECK_EVERY)) {
                String stuck = time.realTimeWait(CHECK_EVERY);
                if (stuck != null) {
                    throw failOnRealTimeWait(stuck);
                }
                if (!time.waitsForNothing()) {
                    waitingForNothingSince = 0;
                } else if (waitingForNothingSince == 0) {
                    waitingForNothingSince = System.nanoTime();
                } else if (System.nanoTime() - waitingForNothingSince > DEADLOCK_AFTER.toNanos()) {
                    throw failOnRealTimeWait(deadlock());
                }
            }
        });
        return g.get();
    }

    /** What {@link #run} says when its greenlets wait for nothing that can come (they are then killed). */
    private String deadlock() {
        StringBuilder sb = new StringBuilder("hub '").append(name()).append("' at ").append(currentTime())
                .append(" of virtual time: every greenlet waits, no timer is pending and nothing woke any of them for ")
                .append(DEADLOCK_AFTER.toSeconds()).append(" s of real time: a deadlock (or a wait for a plain thread")
                .append(" that never came). The greenlets, each with what it waits on:");
        for (Greenlet<?> x : greenlets()) {
            sb.append("\n\t").append(x).append(" waits on ").append(x.waitingOn());
        }
        return sb.toString();
    }

    private IllegalStateException failOnRealTimeWait(String stuck) {
        List<Greenlet<?>> live = greenlets();
        for (Greenlet<?> x : live) {
            x.kill(false, null);
            Thread t = x.thread();
            if (t != null && t.getState() == Thread.State.TIMED_WAITING && x.hub().runningGreenlet() == x) {
                t.interrupt(); // holds the turn in a JDK wait (permit engine): a kill cannot land there
            }
        }
        for (Greenlet<?> x : live) {
            x.join(Duration.ofSeconds(1));
        }
        return new IllegalStateException(stuck);
    }

    /**
     * Moves virtual time forward by {@code d}, running everything due meanwhile in order. In a
     * greenlet of this hub, the caller sleeps {@code d} while the others run; from another
     * thread, the hub runs each batch of due timers until it is idle, then the clock is set to
     * exactly {@code d} later (with autojump on, it may then jump on by itself).
     */
    public void advanceTimeBy(Duration d) {
        if (!time.advanceBy(d, REAL_LIMIT)) {
            throw busy("advanceTimeBy(" + d + ")");
        }
    }

    /** Runs every greenlet that is ready now, until none is, without moving virtual time. */
    public void runCurrent() {
        if (!time.runCurrent(REAL_LIMIT)) {
            throw busy("runCurrent()");
        }
    }

    /**
     * Runs until no timer is left and no greenlet runs or is ready: every pending timer fires,
     * in order. In a greenlet of this hub, the caller's own timers (a {@code Timeout} around it)
     * count too.
     */
    public void advanceUntilIdle() {
        if (!time.advanceUntilIdle(REAL_LIMIT)) {
            throw busy("advanceUntilIdle()");
        }
    }

    private IllegalStateException busy(String what) {
        String stuck = time.realTimeWait(CHECK_EVERY);
        return new IllegalStateException(what + ": hub '" + name() + "' was not idle within " + REAL_LIMIT.toSeconds()
                + " s of real time" + (stuck != null ? "; " + stuck
                : "; a greenlet holds it (a CPU loop, or a blocking call that is no cooperative point)"));
    }

    @Override
    public String toString() {
        return "TestHub[" + name() + ", " + engine().name().toLowerCase(java.util.Locale.ROOT) + " engine, "
                + (seed == null ? "fifo" : "seed " + seed) + ", at " + currentTime() + (isClosed() ? ", closed" : "") + "]";
    }
}
