package dev.greenlet;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntUnaryOperator;

/**
 * The clock and timers of one hub on virtual time ({@link VirtualTime}): a {@link TimerQueue}
 * without the thread, whose {@link #now()} moves only when this class moves it, and the seeded
 * order among ready greenlets the hub's engine asks for.
 *
 * <p>How it works (docs/ARCHITECTURE.md, section 9). Timers go into the inherited heap
 * and nothing fires them in real time. The engine calls {@link #hubIdle()} when no greenlet of
 * the hub is running or ready; that only wakes this clock's own daemon thread, which then
 * <em>examines</em> the hub: if it is still idle and every live greenlet waits on the hub (a
 * timer, a primitive of the library, a monitor or java.util.concurrent lock another greenlet
 * will release) rather than on real time (an offloaded call, a future, a socket, any timed JDK
 * wait), and jumping is on, it moves
 * {@link #now()} to the earliest deadline and fires every timer due then as one batch
 * ({@link HubEngine#fireBatch}): the engine queues all of them before any runs, so the order
 * after a jump is the timers' order (invariant 2), whatever the threads do. A timed JDK wait
 * found while examining is recorded ({@link #realTimeWait()}), and time does not jump over it.
 *
 * <p>Who writes what: {@code now} only under {@code stepLock} (the clock thread's jump or a
 * caller's {@link VirtualTime#advanceBy}), and never backwards; the heap under the inherited
 * lock; {@code examinationsStarted}, {@code examinationDone}, {@code lastQuiet} under this
 * object's monitor (an examination and the jump it decides on run under {@code stepLock}); {@code signalled}
 * by anyone (the engines, callers), cleared by the clock thread; {@code realTimeWait} once, by
 * the clock thread or {@link VirtualTime}'s checks.
 */
final class VirtualClock extends TimerQueue {

    private static final System.Logger LOG = System.getLogger(VirtualClock.class.getName());
    /** Where virtual time starts: far from 0 (which means "no deadline" to the waits). */
    static final long ORIGIN = TimeUnit.DAYS.toNanos(1);

    /** Whether any hub on virtual time was ever made: until then {@link #clockOfCaller} is one volatile read. */
    private static volatile boolean anyMade;

    final IntUnaryOperator readyOrder; // null: FIFO; else picks the index among n ready (0 <= index < n); engines only
    Hub hub;                           // written once, by the Hub constructor, before the hub is published
    HubEngine engine;                  //   (and before any greenlet or timer exists)
    private volatile long now = ORIGIN;
    private final Object stepLock = new Object();   // one jump at a time
    volatile boolean autojump = true;
    volatile int jumpRequests;                      // callers that want jumps even with autojump off (TestHub.run, advanceBy)
    private volatile boolean signalled;
    private final java.util.concurrent.atomic.AtomicBoolean threadRuns = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Thread thread;                 // the clock thread, while threadRuns (set by whoever starts it)
    volatile boolean firing;                        // a batch is being fired: the carrier engine waits for its end
    private long examinationsStarted;               // guarded by this: numbers each examination as it begins
    private long examinationDone;                   // guarded by this: the number of the latest examination that ended
    private boolean lastQuiet;                      // guarded by this: that examination found no greenlet running or ready
    private volatile String realTimeWait;           // the first timed JDK wait found, described; or null

    VirtualClock(IntUnaryOperator readyOrder) {
        this.readyOrder = readyOrder;
        anyMade = true;
    }

    /** The clock of the calling greenlet's hub, or the real one: what {@link Deadline#of} reads. */
    static TimerQueue clockOfCaller() {
        if (!anyMade) {
            return INSTANCE;
        }
        Greenlet<?> g = Greenlet.current();
        return g != null ? g.hub.clock : INSTANCE;
    }

    @Override
    long now() {
        return now;
    }

    @Override
    void newHeadLocked() {
        signal(); // a new earliest timer (a plain thread's timed wait) may be one to jump to now
    }

    /** Virtual nanoseconds since this clock was made. */
    long elapsed() {
        return now - ORIGIN;
    }

    int pendingTimers() {
        lock.lock();
        try {
            return sizeLocked();
        } finally {
            lock.unlock();
        }
    }

    /** The deadline of the earliest timer, or 0 if none. */
    long nextDeadline() {
        lock.lock();
        try {
            TimerEntry head = headLocked();
            return head == null ? 0 : head.deadline;
        } finally {
            lock.unlock();
        }
    }

    /** Called by the engine when no greenlet of the hub runs or is ready. Never blocks. */
    void hubIdle() {
        signal();
    }

    /** The index, among {@code n > 1} ready greenlets, of the one to run next. */
    int pick(int n) {
        int i = readyOrder.applyAsInt(n);
        return i >= 0 && i < n ? i : Math.floorMod(i, n);
    }

    String realTimeWait() {
        return realTimeWait;
    }

    void recordRealTimeWait(String what) {
        if (realTimeWait == null) {
            realTimeWait = what;
            LOG.log(System.Logger.Level.WARNING, what);
        }
        synchronized (this) {
            notifyAll();
        }
    }

    /**
     * Wakes the clock thread, starting one if none runs. Lock-free: a carrier calls it, and a
     * carrier must never wait for a monitor that one of its greenlets may hold (docs/ARCHITECTURE.md, section 9).
     */
    void signal() {
        signalled = true;
        if (threadRuns.compareAndSet(false, true)) {
            Thread t = Thread.ofPlatform().daemon().name("greenlet-virtual-clock-" + (hub == null ? "?" : hub.name()))
                    .unstarted(this::loop);
            thread = t;
            t.start();
            return;
        }
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** The clock thread: examines the hub each time it is signalled; ends after a second without signals. */
    private void loop() {
        while (true) {
            if (!signalled) {
                LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1));
                if (!signalled) {
                    threadRuns.set(false); // the next signal starts a new one...
                    if (!signalled || !threadRuns.compareAndSet(false, true)) {
                        return;
                    }
                    thread = Thread.currentThread(); // ...unless one came meanwhile: go on as the clock thread
                }
            }
            signalled = false;
            try {
                step();
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.ERROR, "the virtual clock of " + hub + " failed; it goes on", t);
            }
        }
    }

    /**
     * One examination and, if it allows, one jump, both under {@code stepLock}: no caller's jump
     * (and its batch) can fall between what the examination saw and the jump it decides on.
     */
    private void step() {
        synchronized (stepLock) {
            long number;
            synchronized (this) {
                number = ++examinationsStarted;
            }
            Quiet q = examine();
            synchronized (this) {
                if (number > examinationDone) {
                    examinationDone = number;
                    lastQuiet = q != Quiet.BUSY;
                }
                notifyAll();
            }
            if (q == Quiet.ON_HUB && (autojump || jumpRequests > 0) && jumpToNext(Long.MAX_VALUE)) {
                signal(); // look again: a batch that made no greenlet ready (a plain thread's timed wait) ends no turn
            }
        }
    }

    enum Quiet { BUSY, ON_HUB, ON_REAL_TIME }

    /** Whether every live greenlet waits, and on what (see the class comment). */
    Quiet examine() {
        if (hub == null || firing || !engine.isIdle() || engine.running() != null) {
            return Quiet.BUSY;
        }
        boolean real = false;
        for (Greenlet<?> g : hub.greenlets()) {
            if (g.isOffloaded()) {
                real = true;
                continue;
            }
            Waiter w = g.waiter;
            if (w != null && w.isWaiting()) {
                if (w.blocker instanceof Future<?> || w.blocker instanceof CompletionStage<?>) {
                    real = true; // Gevent.await of a future: it completes in real time
                }
                continue;
            }
            if (engine.inForeignWait(g)) {
                Thread t = g.thread();
                Thread.State state = t == null ? null : t.getState();
                if (state == Thread.State.TIMED_WAITING) {
                    real = true;
                    recordRealTimeWait(describeRealTimeWait(g, t));
                } else if (state != Thread.State.BLOCKED && !onJucSynchronizer(t)) {
                    // An untimed wait on anything else (a socket read, a future's get, Object.wait)
                    // may end in real time (a server answers): no jump while it lasts.
                    real = true;
                }
                continue; // a monitor or a java.util.concurrent lock/condition: another greenlet ends it
            }
            if (g.awaitsStartTimer()) {
                continue;
            }
            return Quiet.BUSY; // ready: its turn comes without any timer
        }
        if (!engine.isIdle()) {
            return Quiet.BUSY;
        }
        return real ? Quiet.ON_REAL_TIME : Quiet.ON_HUB;
    }

    /** Whether {@code t} is parked on a java.util.concurrent lock or condition (what greenlets of the hub release). */
    private static boolean onJucSynchronizer(Thread t) {
        Object b = t == null ? null : LockSupport.getBlocker(t);
        return b instanceof java.util.concurrent.locks.AbstractQueuedSynchronizer
                || b instanceof java.util.concurrent.locks.AbstractQueuedLongSynchronizer
                || b instanceof java.util.concurrent.locks.AbstractQueuedSynchronizer.ConditionObject
                || b instanceof java.util.concurrent.locks.AbstractQueuedLongSynchronizer.ConditionObject;
    }

    /** What a greenlet in a timed JDK wait is told: the greenlet, its wait, its stack and the fix. */
    String describeRealTimeWait(Greenlet<?> g, Thread t) {
        StringBuilder sb = new StringBuilder();
        sb.append(g).append(" of hub '").append(hub.name()).append("', which runs on virtual time, is in a JDK timed wait")
                .append(" (").append(t.getState()).append(", blocker ").append(LockSupport.getBlocker(t)).append(")")
                .append(", which keeps real time: virtual time cannot pass it, so the test would wait in real time")
                .append(" or pass by luck. Use the library's waits (Gevent.sleep, a timed join/get, Queue.get(timeout),")
                .append(" Timeout), which run on the hub's clock, or test this code on a real Hub. Its stack:");
        for (StackTraceElement e : t.getStackTrace()) {
            sb.append("\n\tat ").append(e);
        }
        return sb.toString();
    }

    /**
     * Moves time to the earliest deadline, if it is not after {@code limit}, and fires every
     * timer due then as one batch; false if there was none to fire.
     */
    boolean jumpToNext(long limit) {
        synchronized (stepLock) {
            List<TimerEntry> due = new ArrayList<>();
            lock.lock();
            try {
                TimerEntry head = headLocked();
                if (head == null || head.deadline - limit > 0) {
                    return false;
                }
                if (head.deadline - now > 0) {
                    now = head.deadline;
                }
                takeDueLocked(now, due);
            } finally {
                lock.unlock();
            }
            firing = true;
            try {
                engine.fireBatch(() -> fireAll(due));
            } finally {
                firing = false;
            }
            return true;
        }
    }

    /** Moves time to {@code target} (not backwards) without firing anything. */
    void moveTo(long target) {
        synchronized (stepLock) {
            if (target - now > 0) {
                now = target;
            }
        }
    }

    /**
     * Waits until an examination that began after this call finds no greenlet running or
     * ready, or until {@code realNanos} of real time passed; false then.
     */
    boolean awaitQuiet(long realNanos) {
        long seen;
        synchronized (this) {
            seen = examinationsStarted; // only an examination that begins after this counts
        }
        signal();
        long end = System.nanoTime() + realNanos;
        synchronized (this) {
            while (examinationDone <= seen || !lastQuiet) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                if (examinationDone > seen) {
                    seen = examinationDone; // it was busy then: wait for a later one, once it goes idle
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.util.concurrent.CancellationException("interrupted while waiting for hub '"
                            + hub.name() + "' to be idle");
                }
            }
            return true;
        }
    }
}
