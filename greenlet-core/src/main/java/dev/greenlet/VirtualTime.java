package dev.greenlet;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;

/**
 * Virtual time for one hub: the hook under {@code dev.greenlet.test.TestHub} (module
 * {@code greenlet-test}), which is what tests should use. A hub made with one
 * ({@link Hub#Hub(String, Hub.Engine, VirtualTime)}) runs every timer of the library on this
 * clock instead of {@link System#nanoTime}: {@link Gevent#sleep}, {@code spawnLater},
 * {@link Timeout}, every timed wait and {@link Deadline#of} in its greenlets.
 *
 * <p><b>Semantics.</b> Virtual time starts at zero and moves only forward, only here: by
 * <em>autojump</em> (on by default: whenever no greenlet of the hub runs or is ready and every
 * one waits on the hub, time jumps to the earliest deadline and the timers due then fire, in
 * deadline order, as one batch), by {@link #advanceBy}, or by {@link #advanceUntilIdle}. Waits
 * that keep real time stop the jumps while they last: an offloaded call, a wait on a future
 * ({@link Gevent#await}), and JDK timed waits ({@code Thread.sleep}, a socket timeout, a pool's
 * timed wait), which are also reported ({@link #realTimeWait()}), since virtual time cannot
 * pass them. An optional ready order picks, each time several greenlets are ready, which one
 * runs next (still one at a time): a seeded one finds ordering bugs that FIFO hides.
 *
 * <p>Differences: gevent has no virtual time (its tests sleep for real); this is Trio's
 * {@code MockClock(autojump_threshold=0)} and kotlinx.coroutines' test scheduler, for a hub.
 */
public final class VirtualTime {

    final VirtualClock clock;

    /** Virtual time with the hubs' FIFO order among ready greenlets. */
    public VirtualTime() {
        this(null);
    }

    /**
     * Virtual time with {@code readyOrder} choosing, each time {@code n > 1} greenlets (or
     * engine tasks) are ready, the index ({@code 0} = the one ready longest) of the one to run
     * next; null for FIFO. It is called by the engine under its own lock, so it must be quick,
     * must not block and must not call the library; with a seeded random order the same seed
     * gives the same sequence of choices, and so, in virtual time, the same run.
     */
    public VirtualTime(IntUnaryOperator readyOrder) {
        this.clock = new VirtualClock(readyOrder);
    }

    /** Binds this clock to the hub being made; called once, by the Hub constructor. */
    VirtualClock attach(Hub hub, HubEngine engine) {
        synchronized (clock) {
            if (clock.hub != null) {
                throw new IllegalArgumentException("this VirtualTime already runs hub '" + clock.hub.name()
                        + "'; make one VirtualTime per hub");
            }
            clock.hub = hub;
            clock.engine = engine;
        }
        engine.virtual = clock;
        return clock;
    }

    /** The hub on this clock, or null before one was made with it. */
    public Hub hub() {
        return clock.hub;
    }

    /** The virtual time passed since this clock was made. */
    public Duration now() {
        return Duration.ofNanos(clock.elapsed());
    }

    /** How many timers of the hub are pending (sleeps, timeouts, timed waits, spawnLater). */
    public int pendingTimers() {
        return clock.pendingTimers();
    }

    /** Turns autojump on (the default) or off: off, time moves only by {@link #advanceBy} and {@link #advanceUntilIdle}. */
    public void setAutojump(boolean on) {
        clock.autojump = on;
        clock.signal();
    }

    /** Whether autojump is on. */
    public boolean isAutojump() {
        return clock.autojump;
    }

    /**
     * Runs what is ready now, without moving time: from a greenlet of the hub, gevent's
     * {@link Gevent#idle}; from any other thread, waits until no greenlet of the hub runs or is
     * ready (at most {@code realLimit} of real time).
     *
     * @return false if {@code realLimit} passed first
     */
    public boolean runCurrent(Duration realLimit) {
        if (isInHub()) {
            Gevent.idle();
            return true;
        }
        return clock.awaitQuiet(Deadline.toNanos(realLimit));
    }

    /**
     * Moves time forward by {@code d}, running everything due meanwhile, in order: from a
     * greenlet of the hub, it sleeps {@code d} (even with autojump off); from any other thread,
     * it fires the timers due by then deadline by deadline, letting the hub run until idle
     * after each, then sets the clock to exactly {@code d} later. A greenlet that holds the hub
     * longer than {@code realLimit} at one step makes it return false.
     */
    public boolean advanceBy(Duration d, Duration realLimit) {
        long nanos = Greenlet.checkDuration(d, "advanceBy duration");
        if (isInHub()) {
            withJumps(() -> Gevent.sleep(Duration.ofNanos(nanos)));
            return true;
        }
        long limit = Deadline.toNanos(realLimit);
        long target = Deadline.saturatedAfter(clock.now(), nanos);
        if (!clock.awaitQuiet(limit)) {
            return false;
        }
        while (clock.jumpToNext(target)) {
            if (!clock.awaitQuiet(limit)) {
                return false;
            }
        }
        clock.moveTo(target);
        return true;
    }

    /**
     * Runs until no timer is left and no greenlet runs or is ready: every timer fires, in order,
     * time ending at the last deadline. From a greenlet of the hub it sleeps until then (a timer
     * of its own, a {@link Timeout} around it, counts too). From any other thread, false if a
     * step took more than {@code realLimit} of real time.
     */
    public boolean advanceUntilIdle(Duration realLimit) {
        if (isInHub()) {
            withJumps(() -> {
                while (true) {
                    Gevent.idle();
                    long next = clock.nextDeadline();
                    if (next == 0) {
                        return;
                    }
                    Gevent.sleep(Duration.ofNanos(Math.max(0, next - clock.now())));
                }
            });
            return true;
        }
        long limit = Deadline.toNanos(realLimit);
        if (!clock.awaitQuiet(limit)) {
            return false;
        }
        while (clock.jumpToNext(Long.MAX_VALUE)) {
            if (!clock.awaitQuiet(limit)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs {@code body} with jumps on even if autojump is off: what {@code TestHub.run} does
     * around its body.
     */
    public void withJumps(Runnable body) {
        synchronized (clock) {
            clock.jumpRequests++;
        }
        clock.signal();
        try {
            body.run();
        } finally {
            synchronized (clock) {
                clock.jumpRequests--;
            }
        }
    }

    /**
     * The first JDK timed wait a greenlet of the hub was found in while the hub was otherwise
     * idle (the greenlet, the wait, its stack and the fix, in words), or null. Also checks the
     * greenlet that has the turn now: on the permit engine a {@code Thread.sleep} keeps it, and
     * if that greenlet's thread is in a timed wait and the hub made no switch for
     * {@code settle} of real time, that is reported too.
     */
    public String realTimeWait(Duration settle) {
        String found = clock.realTimeWait();
        if (found != null || clock.hub == null) {
            return found;
        }
        Hub hub = clock.hub;
        Greenlet<?> g = hub.runningGreenlet();
        Thread t = g == null ? null : g.thread();
        if (t == null || g.isOffloaded() || t.getState() != Thread.State.TIMED_WAITING) {
            return null;
        }
        long switches = hub.switchCount();
        try {
            TimeUnit.NANOSECONDS.sleep(Deadline.toNanos(settle));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        if (hub.runningGreenlet() == g && hub.switchCount() == switches && t.getState() == Thread.State.TIMED_WAITING) {
            clock.recordRealTimeWait(clock.describeRealTimeWait(g, t));
        }
        return clock.realTimeWait();
    }

    /**
     * Whether the hub waits for nothing that can come: no greenlet runs or is ready, every one
     * waits on the hub (no real-time wait), and no timer is pending. Then only a plain thread
     * can wake a greenlet; if none does, the greenlets are deadlocked.
     */
    public boolean waitsForNothing() {
        return clock.pendingTimers() == 0 && clock.examine() == VirtualClock.Quiet.ON_HUB
                && clock.pendingTimers() == 0;
    }

    /** {@link #realTimeWait(Duration)} as recorded, without checking the running greenlet. */
    public String realTimeWait() {
        return clock.realTimeWait();
    }

    private boolean isInHub() {
        Greenlet<?> g = Greenlet.cooperative();
        return g != null && g.hub == Objects.requireNonNull(clock.hub, "no hub runs on this VirtualTime yet");
    }

    @Override
    public String toString() {
        return "VirtualTime[" + now() + (clock.readyOrder == null ? ", fifo" : ", ordered") + "]";
    }
}
