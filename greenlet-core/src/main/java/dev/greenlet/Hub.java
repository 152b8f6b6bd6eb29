package dev.greenlet;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A hub runs its greenlets cooperatively: one at a time, switching only where a greenlet
 * waits. It is gevent's {@code Hub}, without an event-loop thread of its own.
 *
 * <p><b>Semantics.</b> Every greenlet runs on its own virtual thread, but only the greenlet
 * that holds the hub's single <em>run permit</em> runs user code. A greenlet gives the permit
 * up only at a <em>cooperative point</em>: {@link Gevent#sleep}, {@link Gevent#idle},
 * {@code join}/{@code get}, {@link Gevent#joinall}, {@link Gevent#wait}/{@link Gevent#iwait},
 * waits on the library's primitives, and (later) {@code offload}, {@code select} and patched
 * I/O. Anything else, {@code Thread.sleep}, a plain socket read, a CPU loop, keeps the permit
 * and stalls the hub, exactly as in gevent without {@code patch_all()}.
 *
 * <p>Order is deterministic, as in gevent: {@code spawn} appends the new greenlet to the
 * FIFO ready queue and it first runs when its spawner reaches a cooperative point;
 * {@code sleep(0)} puts the caller behind everything already ready; a greenlet whose wait
 * ends appends itself; timers fire in deadline order.
 *
 * <p><b>Differences from gevent.</b> Threads that are not greenlets (main, a servlet worker,
 * a Spring executor thread) may use a hub: spawn, join, kill, set events. They never hold the
 * permit, and where they wait they block as an ordinary thread does. So a greenlet spawned
 * from {@code main} starts at once, concurrently with {@code main}, whereas in gevent
 * {@code main} is itself the hub's main greenlet. To get gevent's exact semantics from a
 * plain thread, enter the hub with {@link #run(Callable)}. Several hubs may exist; a greenlet
 * belongs to the hub it was spawned on, and greenlets spawned from inside a greenlet go to the
 * spawner's hub.
 *
 * <p>Implementation overview. The permit is the volatile field {@code owner}. The greenlet
 * that gives it up takes the hub lock, pops the next greenlet off the ready queue, makes it
 * the owner and unparks its thread (starting it on its first turn), then parks until it is
 * the owner again. Each handoff is a volatile write read by the next owner, so it is a
 * happens-before edge: state touched only by one hub's greenlets needs no locks. The hub's
 * monitor guards the ready queue, which is linked through the greenlets themselves. When the
 * ready queue is empty the permit is left with no owner, and whoever next makes a greenlet
 * ready (a waker, a timer, an outside thread) hands it the permit directly. A greenlet is in
 * the ready queue at most once: it is appended only by the one resolution of its current
 * {@link Waiter}, by its own {@code sleep(0)}, or when it is first started. Nothing polls.
 * (The hub's monitor is its lock: do not synchronize on a hub.)
 *
 * <p>One bounded spin, and only one: a greenlet that yields with {@code sleep(0)} and is then
 * next in line (the ready queue holds only it) checks for the permit {@value #DEFAULT_SPINS}
 * times with {@link Thread#onSpinWait()}, a few microseconds at most, before it parks. Parking
 * and unparking a virtual thread goes through the scheduler, which wakes an idle carrier for
 * each handoff; when the other greenlet's turn is short, the spinner sees the permit come back
 * without any of that, as {@code SynchronousQueue} and {@code LinkedTransferQueue} spin briefly
 * on multiprocessors before blocking. It doubles the two-greenlet switch rate (see the README's
 * benchmarks). Waits that depend on something else (a timer, an event, a join) never spin. The
 * system property {@code dev.greenlet.spins} sets the count (0 disables it); on a single CPU
 * it is 0.
 */
public final class Hub implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Hub.class.getName());
    private static final AtomicReference<Hub> DEFAULT = new AtomicReference<>();
    static final int DEFAULT_SPINS = 64;
    private static final int SPINS = Runtime.getRuntime().availableProcessors() > 1
            ? Math.max(0, Integer.getInteger("dev.greenlet.spins", DEFAULT_SPINS)) : 0;

    // The fields of the switch path sit together in this object, and the lock is this object's
    // monitor, so a handoff between two carrier threads moves as few cache lines as possible.
    private volatile Greenlet<?> owner;    // holds the run permit; null when no greenlet is ready
    private Greenlet<?> readyHead;         // guarded by this: FIFO ready queue linked through Greenlet.readyNext;
    private Greenlet<?> readyTail;         //   a greenlet is in it at most once
    private long switches;                 // guarded by this: permit handoffs so far
    private boolean timePermitWaits;       // guarded by this: whether to measure the wait for the permit
    private long permitWaitNanos;          // guarded by this: total time greenlets waited ready for the permit
    private long permitGrants;             // guarded by this: grants measured
    private final String name;
    private final ArrayDeque<Waiter> idleWaiters = new ArrayDeque<>(); // guarded by this; greenlets in idle()
    private Greenlet<?> liveHead;          // guarded by this: intrusive list of started, unfinished greenlets
    private int liveCount;                 // guarded by this
    private long spawned;                  // guarded by this
    private long finished;                 // guarded by this: greenlets that ended, however
    private long failed;                   // guarded by this: ... with an exception other than GreenletExit
    private long killed;                   // guarded by this: ... with a GreenletExit
    private volatile boolean closed;
    private volatile ErrorHandler errorHandler = ErrorHandler.LOGGING;
    private volatile HubMonitor monitor;

    /**
     * Creates a hub. It needs no thread of its own and no closing to be collected, but close
     * it to kill what still runs on it.
     *
     * @param name a name for logs and run-info dumps
     */
    public Hub(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /**
     * The default hub, created on first use. Plain threads that call {@link Gevent#spawn}
     * spawn on it. If it has been closed, the next call creates a fresh one, as gevent's
     * {@code get_hub()} does after {@code hub.destroy()}.
     */
    public static Hub getDefault() {
        while (true) {
            Hub hub = DEFAULT.get();
            if (hub != null && !hub.closed) {
                return hub;
            }
            Hub fresh = new Hub("default");
            if (DEFAULT.compareAndSet(hub, fresh)) {
                return fresh;
            }
        }
    }

    /** The hub of the calling greenlet, or the default hub on a plain thread. */
    public static Hub current() {
        Greenlet<?> g = Greenlet.current();
        return g != null ? g.hub : getDefault();
    }

    /** This hub's name. */
    public String name() {
        return name;
    }

    // ---------------------------------------------------------------- spawning

    /**
     * Creates a greenlet that runs {@code fn} on this hub and starts it: it first runs when the
     * caller reaches a cooperative point (at once, concurrently, when the caller is a plain
     * thread and no greenlet of this hub is running).
     *
     * @throws IllegalStateException if this hub is closed
     */
    public <T> Greenlet<T> spawn(Callable<? extends T> fn) {
        Greenlet<T> g = new Greenlet<>(this, null, fn);
        g.start();
        return g;
    }

    /** {@link #spawn(Callable)} for code that returns nothing; the greenlet's value is null. */
    public Greenlet<Void> spawn(Runnable fn) {
        return spawn(Greenlet.callable(fn));
    }

    /**
     * Creates a greenlet that runs {@code fn} on this hub once {@code delay} has passed
     * (gevent's {@code spawn_later}). Until then it is scheduled but not started; killing it
     * then means it never runs.
     *
     * @throws IllegalArgumentException if {@code delay} is negative
     * @throws IllegalStateException if this hub is closed
     */
    public <T> Greenlet<T> spawnLater(Duration delay, Callable<? extends T> fn) {
        Greenlet<T> g = new Greenlet<>(this, null, fn);
        g.startLater(delay);
        return g;
    }

    /** {@link #spawnLater(Duration, Callable)} for code that returns nothing. */
    public Greenlet<Void> spawnLater(Duration delay, Runnable fn) {
        return spawnLater(delay, Greenlet.callable(fn));
    }

    /**
     * Runs {@code fn} as a greenlet of this hub and waits for it: the way into the hub from a
     * plain thread, like {@code asyncio.run} or Kotlin's {@code runBlocking}. Greenlets that
     * {@code fn} spawns follow gevent's scheduling exactly. Called from a greenlet of this
     * hub, it simply calls {@code fn}.
     *
     * <p>Returns {@code fn}'s value, or rethrows its exception: unchecked ones as they are,
     * checked ones wrapped in a {@link java.util.concurrent.CompletionException}. If the
     * waiting plain thread is interrupted, the greenlet is killed and a
     * {@link java.util.concurrent.CancellationException} is thrown.
     */
    public <T> T run(Callable<? extends T> fn) {
        Greenlet<?> current = Greenlet.cooperative();
        if (current != null && current.hub == this) {
            return Greenlet.call(fn);
        }
        Greenlet<T> g = spawn(fn);
        try {
            g.join();
        } catch (RuntimeException | Error e) {
            g.kill(false, null);
            throw e;
        }
        return g.get();
    }

    /** {@link #run(Callable)} for code that returns nothing. */
    public void run(Runnable fn) {
        run(Greenlet.callable(fn));
    }

    // ---------------------------------------------------------------- introspection

    /** Whether {@link #close()} or {@link #shutdown} was called. A closed hub accepts no spawns. */
    public boolean isClosed() {
        return closed;
    }

    /** The number of started greenlets of this hub that have not finished. */
    public int liveCount() {
        synchronized (this) {
            return liveCount;
        }
    }

    /** The started greenlets of this hub that have not finished, oldest first. */
    public List<Greenlet<?>> greenlets() {
        synchronized (this) {
            List<Greenlet<?>> all = new ArrayList<>(liveCount);
            for (Greenlet<?> g = liveHead; g != null; g = g.liveNext) {
                all.add(g);
            }
            return all.reversed();
        }
    }

    /** How many times the run permit has passed from one greenlet to another (or to an idle hub). */
    public long switchCount() {
        synchronized (this) {
            return switches;
        }
    }

    /**
     * Turns on (or off) measuring how long greenlets wait in the ready queue for the permit, for
     * {@link #permitWaitNanos()}: two {@code System.nanoTime()} calls per switch. Off by default;
     * the Spring starter turns it on when Micrometer is present.
     */
    public void setPermitWaitTiming(boolean on) {
        synchronized (this) {
            timePermitWaits = on;
        }
    }

    /** The total time, in nanoseconds, greenlets waited ready for the permit while timing was on. */
    public long permitWaitNanos() {
        synchronized (this) {
            return permitWaitNanos;
        }
    }

    /** How many permit grants were timed for {@link #permitWaitNanos()}. */
    public long permitGrants() {
        synchronized (this) {
            return permitGrants;
        }
    }

    /** How many greenlets of this hub have ended, however they ended. */
    public long finishedCount() {
        synchronized (this) {
            return finished;
        }
    }

    /** How many greenlets of this hub ended with an exception other than {@link GreenletExit}. */
    public long failedCount() {
        synchronized (this) {
            return failed;
        }
    }

    /** How many greenlets of this hub ended with a {@link GreenletExit}: killed. */
    public long killedCount() {
        synchronized (this) {
            return killed;
        }
    }

    /** How many greenlets were ever started on this hub. */
    public long spawnedCount() {
        synchronized (this) {
            return spawned;
        }
    }

    /** The greenlet holding the run permit right now, or null. */
    public Greenlet<?> runningGreenlet() {
        return owner;
    }

    /**
     * A snapshot of every live greenlet: its state, what it waits on, who spawned it and its
     * stack (gevent's {@code format_run_info}, as data). Not a consistent cut: greenlets keep
     * running while it is taken.
     */
    public List<GreenletInfo> runInfo() {
        List<GreenletInfo> infos = new ArrayList<>();
        Greenlet<?> running = owner;
        for (Greenlet<?> g : greenlets()) {
            GreenletInfo.State state;
            Waiter w = g.waiter;
            String on = null;
            if (g == running) {
                state = GreenletInfo.State.RUNNING;
            } else if (g.isOffloaded()) {
                state = GreenletInfo.State.OFFLOADED;
            } else if (w != null && w.isWaiting()) {
                state = w.blocker == this ? GreenletInfo.State.SLEEPING : GreenletInfo.State.WAITING;
                on = w.blocker == this ? null : String.valueOf(w.blocker);
            } else {
                state = GreenletInfo.State.READY;
            }
            Thread t = g.thread();
            List<StackTraceElement> stack = t == null ? List.of() : List.of(t.getStackTrace());
            Greenlet<?> spawner = g.spawningGreenlet();
            infos.add(new GreenletInfo(g.id(), g.name(), state, on, spawner == null ? null : spawner.toString(), stack));
        }
        return infos;
    }

    /** {@link #runInfo()} as text: a header line, then each greenlet with its stack. */
    public String formatRunInfo() {
        List<GreenletInfo> infos = runInfo();
        StringBuilder sb = new StringBuilder();
        sb.append("Hub '").append(name).append("': ").append(infos.size()).append(" live greenlet(s), ")
                .append(switchCount()).append(" switches").append(closed ? ", closed" : "").append('\n');
        for (GreenletInfo info : infos) {
            sb.append(info.format());
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- monitoring

    /**
     * Starts a {@link HubMonitor} that reports greenlets holding this hub longer than
     * {@code maxBlockingTime} without a cooperative point (off until called; gevent's
     * {@code monitor_thread}). Replaces a monitor started before.
     *
     * @throws IllegalArgumentException if {@code maxBlockingTime} is not positive
     */
    public HubMonitor startMonitor(Duration maxBlockingTime) {
        HubMonitor m = new HubMonitor(this, maxBlockingTime);
        HubMonitor old = monitor;
        monitor = m;
        if (old != null) {
            old.close();
        }
        return m;
    }

    /** The running monitor, or null. */
    public HubMonitor monitor() {
        return monitor;
    }

    // ---------------------------------------------------------------- errors

    /** Receives every greenlet failure of a hub (gevent's {@code Hub.handle_error}). */
    @FunctionalInterface
    public interface ErrorHandler {
        /**
         * Called once for each greenlet that ends with an exception other than
         * {@link GreenletExit}, after its result is stored and before anything waiting on it
         * wakes or any link runs: on the greenlet's own thread, or on the killer's for a
         * greenlet killed before it started. It must not throw; if it does, the failure is
         * logged.
         */
        void handleError(Greenlet<?> greenlet, Throwable error);

        /** The default: logs "&lt;greenlet&gt; failed with &lt;exception&gt;" and the stack at ERROR. */
        ErrorHandler LOGGING = (greenlet, error) -> LOG.log(System.Logger.Level.ERROR,
                () -> greenlet + " failed with " + error, error);
    }

    /** Replaces the error handler (for example to count failures or to fail a test on one). */
    public void setErrorHandler(ErrorHandler handler) {
        this.errorHandler = Objects.requireNonNull(handler, "handler");
    }

    /** This hub's error handler. */
    public ErrorHandler errorHandler() {
        return errorHandler;
    }

    void reportError(Greenlet<?> g, Throwable error) {
        try {
            errorHandler.handleError(g, error);
        } catch (Throwable handlerFailure) {
            handlerFailure.addSuppressed(error);
            LOG.log(System.Logger.Level.ERROR, "error handler of hub '" + name + "' failed on " + g, handlerFailure);
        }
    }

    // ---------------------------------------------------------------- closing

    /**
     * Closes this hub now: no new greenlets, and every live greenlet is killed (with
     * {@link GreenletExit}); waits up to 10 seconds for them to die. Logs what it killed.
     */
    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }

    /**
     * Closes this hub gracefully: it accepts no new greenlets at once, waits up to
     * {@code grace} for the live ones to finish, then kills those still running, waits up to
     * 10 seconds for them to die, and logs each killed greenlet's name. Called from a
     * greenlet of this hub, it waits cooperatively and spares the caller.
     *
     * @return the greenlets it had to kill
     */
    public List<Greenlet<?>> shutdown(Duration grace) {
        long graceNanos = Greenlet.checkDuration(grace, "shutdown grace");
        closed = true;
        HubMonitor m = monitor;
        if (m != null) {
            m.close();
        }
        DEFAULT.compareAndSet(this, null);
        Greenlet<?> self = Greenlet.current();
        long deadline = TimerQueue.deadlineAfter(graceNanos);
        for (Greenlet<?> g : greenlets()) {
            long left = deadline - System.nanoTime();
            if (g != self && left > 0) {
                g.join(Duration.ofNanos(left));
            }
        }
        List<Greenlet<?>> killed = new ArrayList<>();
        for (Greenlet<?> g : greenlets()) {
            if (g != self && !g.isDead()) {
                killed.add(g);
            }
        }
        Gevent.killall(killed, null, true, Duration.ofSeconds(10));
        if (!killed.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, () -> "hub '" + name + "' closed; killed " + killed.size()
                    + " greenlet(s) still running: " + killed);
            for (Greenlet<?> g : killed) {
                if (!g.isDead()) {
                    LOG.log(System.Logger.Level.ERROR, () -> g + " ignored GreenletExit and is still running");
                }
            }
        }
        return killed;
    }

    @Override
    public String toString() {
        return "Hub[" + name + (closed ? ", closed" : "") + "]";
    }

    // ---------------------------------------------------------------- the run permit

    /** Adds a started greenlet to the live list and makes it ready. */
    void admit(Greenlet<?> g, boolean evenIfClosed, boolean makeReady) {
        boolean grant = false;
        synchronized (this) {
            if (closed && !evenIfClosed) {
                throw new IllegalStateException("hub '" + name + "' is closed: cannot start " + g
                        + "; spawn on a hub that is open (Hub.getDefault() makes a fresh default hub)");
            }
            g.liveNext = liveHead;
            if (liveHead != null) {
                liveHead.livePrev = g;
            }
            liveHead = g;
            g.live = true;
            liveCount++;
            spawned++;
            if (makeReady) {
                grant = readyLocked(g);
            }
        }
        if (grant) {
            g.resume();
        }
    }

    /** Makes {@code g} ready: hands it the permit if no one holds it, else appends it. */
    void schedule(Greenlet<?> g) {
        boolean grant;
        synchronized (this) {
            grant = readyLocked(g);
        }
        if (grant) {
            g.resume();
        }
    }

    private boolean readyLocked(Greenlet<?> g) {
        if (owner == null) {
            g.readySince = timePermitWaits ? System.nanoTime() : 0; // granted at once: no wait
            handOffLocked(g);
            return true;
        }
        appendLocked(g);
        return false;
    }

    /** Gives the permit to {@code next} (null: nobody), counting the switch; holding the monitor. */
    private void handOffLocked(Greenlet<?> next) {
        if (timePermitWaits && next != null && next.readySince != 0) {
            permitWaitNanos += System.nanoTime() - next.readySince;
            permitGrants++;
        }
        owner = next;
        switches++;
    }

    private void appendLocked(Greenlet<?> g) {
        g.readySince = timePermitWaits ? System.nanoTime() : 0;
        if (readyTail == null) {
            readyHead = g;
        } else {
            readyTail.readyNext = g;
        }
        readyTail = g;
    }

    private Greenlet<?> pollLocked() {
        Greenlet<?> g = readyHead;
        if (g != null) {
            readyHead = g.readyNext;
            g.readyNext = null;
            if (readyHead == null) {
                readyTail = null;
            }
        }
        return g;
    }

    /** Pops the next ready greenlet; when none is ready, wakes the greenlets waiting in idle(). */
    private Greenlet<?> nextReadyLocked() {
        Greenlet<?> next = pollLocked();
        if (next == null && !idleWaiters.isEmpty()) {
            drainIdleLocked();
            next = pollLocked();
        }
        return next;
    }

    private void drainIdleLocked() {
        Waiter w;
        while ((w = idleWaiters.pollFirst()) != null) {
            if (w.resolveQuietly(Waiter.SIGNALLED)) {
                appendLocked(w.greenlet);
            }
        }
    }

    /**
     * The permit holder {@code me} gives the permit to the next ready greenlet and returns
     * once it holds the permit again. Someone must have made (or be about to make) {@code me}
     * ready, or it waits forever.
     */
    private void switchAway(Greenlet<?> me) {
        Greenlet<?> next;
        synchronized (this) {
            next = nextReadyLocked();
            handOffLocked(next);
        }
        if (next == me) {
            return;
        }
        if (next != null) {
            next.resume();
        }
        awaitPermit(me);
    }

    /** Parks the calling greenlet's thread until it holds the permit. */
    void awaitPermit(Greenlet<?> me) {
        while (owner != me) {
            LockSupport.park(this);
        }
    }

    /**
     * Takes a greenlet that just became dead off the live list and counts how it ended, before
     * anything waiting on it wakes, so that {@link #liveCount()} agrees with
     * {@link Greenlet#isDead()}. Idempotent; a greenlet never admitted was never on the list.
     */
    void retire(Greenlet<?> g) {
        synchronized (this) {
            if (!g.live) {
                return;
            }
            g.live = false;
            Greenlet<?> prev = g.livePrev;
            Greenlet<?> after = g.liveNext;
            if (prev != null) {
                prev.liveNext = after;
            } else {
                liveHead = after;
            }
            if (after != null) {
                after.livePrev = prev;
            }
            g.livePrev = g.liveNext = null;
            liveCount--;
            finished++;
            if (g.isKilled()) {
                killed++;
            } else if (g.exception() != null) {
                failed++;
            }
        }
    }

    /** Gives up the permit for good: {@code me} has finished (and was retired when it died). */
    void exit(Greenlet<?> me) {
        Greenlet<?> next;
        synchronized (this) {
            next = nextReadyLocked();
            handOffLocked(next);
        }
        if (next != null) {
            next.resume();
        }
    }

    /**
     * {@link Gevent#offload}: the permit holder {@code me} hands the permit on, runs
     * {@code call} on its own virtual thread while the hub's other greenlets run, then queues
     * for the permit again. A kill or timeout that arrives meanwhile interrupts the thread and
     * lands when the call returns.
     */
    <T, E extends Throwable> T offload(Greenlet<?> me, Gevent.Blocking<? extends T, E> call) throws E {
        checkHolds(me);
        me.landPending();
        me.startOffload();
        Greenlet<?> next;
        synchronized (this) {
            next = nextReadyLocked();
            handOffLocked(next);
        }
        if (next != null) {
            next.resume();
        }
        T result = null;
        Throwable failure = null;
        try {
            result = call.call();
        } catch (Throwable t) {
            failure = t;
        }
        me.endOffload();
        schedule(me);
        awaitPermit(me);
        me.landPending();
        if (failure != null) {
            throw Hub.<E>uncheckedAs(failure);
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E uncheckedAs(Throwable t) throws E {
        throw (E) t;
    }

    /**
     * Fails loudly if {@code me} does not hold the permit it is about to give up: handing on a
     * permit one does not hold would let two greenlets run at once.
     */
    private void checkHolds(Greenlet<?> me) {
        if (owner != me) {
            throw new IllegalStateException(me + " tried to give up the run permit of hub '" + name
                    + "' without holding it (held by " + owner + "); this is a bug in greenlet-core");
        }
    }

    /** {@code sleep(0)}: the permit holder goes behind every greenlet already ready. */
    void yieldNow(Greenlet<?> me) {
        checkHolds(me);
        me.landPending();
        Greenlet<?> next;
        boolean nextInLine;
        synchronized (this) {
            if (readyHead == null) {
                // The caller is the only ready greenlet: keep the permit. The hub is not idle
                // (the caller runs on), so idle() waiters stay waiting, as in gevent.
                return;
            }
            appendLocked(me);
            next = pollLocked();
            handOffLocked(next);
            nextInLine = readyHead == me;
        }
        next.resume();
        if (nextInLine) {
            for (int i = 0; i < SPINS; i++) {
                if (owner == me) {
                    me.landPending();
                    return;
                }
                Thread.onSpinWait();
            }
        }
        awaitPermit(me);
        me.landPending();
    }

    /** gevent's {@code idle()}: waits until no other greenlet of this hub is ready. */
    void idle(Greenlet<?> me) {
        Waiter w = Waiter.forCurrent(this);
        synchronized (this) {
            if (readyHead == null) {
                w = null;
            } else {
                idleWaiters.addLast(w);
            }
        }
        if (w == null) {
            me.landPending();
        } else {
            await(me, w, 0);
        }
    }

    /**
     * The cooperative wait under every blocking call: the permit holder {@code me} gives up the
     * permit until {@code w} is resolved (signalled, timed out at {@code deadline} unless that
     * is 0, or interrupted by a kill or {@link Timeout}), then lands any pending kill or
     * timeout, unless {@code w} was signalled: a wait that was satisfied returns normally and
     * the kill lands at the next cooperative point, so that an operation (a queue get, a
     * semaphore acquire) either completes or has no effect. Each call consumes exactly the one
     * scheduling that resolving {@code w} produces, so the ready queue never holds a greenlet
     * twice or a dead one.
     */
    int await(Greenlet<?> me, Waiter w, long deadline) {
        checkHolds(me);
        me.waiter = w;
        // Pairs with Greenlet.raise(): it writes pendingThrow, then reads waiter; we write
        // waiter, then read pendingThrow. One of the two sees the other.
        if (me.pendingThrow != null && w.resolveQuietly(Waiter.INTERRUPTED)) {
            me.waiter = null;
            me.landPending();
            return Waiter.INTERRUPTED;
        }
        if (deadline != 0) {
            TimerQueue.INSTANCE.add(w, deadline);
        }
        switchAway(me);
        me.waiter = null;
        int state = w.state();
        if (deadline != 0 && state != Waiter.TIMED_OUT) {
            TimerQueue.INSTANCE.cancel(w);
        }
        if (state != Waiter.SIGNALLED) {
            me.landPending();
        }
        return state;
    }
}
