package dev.greenlet;

import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;

/**
 * The permit engine (the default; gevent's unpatched semantics): a hub's greenlets run on
 * virtual threads of the JDK's default scheduler, and only the holder of the hub's single run
 * permit runs user code. A greenlet gives the permit up only at the library's own cooperative
 * points; anything else ({@code Thread.sleep}, an unpatched socket read, a lock, a CPU loop)
 * keeps it and stalls the hub, exactly as in gevent without {@code patch_all()}.
 *
 * <p>Implementation overview. The permit is the volatile field {@code owner}. The greenlet
 * that gives it up takes this scheduler's lock, pops the next greenlet off the ready queue,
 * makes it the owner and unparks its thread (starting it on its first turn), then parks until
 * it is the owner again. Each handoff is a volatile write read by the next owner, so it is a
 * happens-before edge (invariant 1). This object's monitor guards the ready queue, which is
 * doubly linked through each greenlet's {@link Slot}, this engine's strand for it. Its front
 * segment, up to {@code urgentTail}, holds greenlets killed urgently (docs/ARCHITECTURE.md,
 * protocol P3), in the order they were killed; {@link #expedite} moves a ready greenlet there
 * in O(1). A greenlet killed before its first turn is dropped when it comes up: it never gets
 * a thread. When the ready queue is empty the permit is left
 * with no owner, and whoever next makes a greenlet ready (a waker, a timer, an outside thread)
 * hands it the permit directly. A greenlet is in the ready queue at most once: it is appended
 * only by {@link #makeReady} (called once per resolved {@link Waiter} and once for its first
 * turn), by its own {@code sleep(0)}, or when {@code idle()} waiters are woken here. Nothing polls.
 *
 * <p>One bounded spin, and only one: a greenlet that yields with {@code sleep(0)} and is then
 * next in line (the ready queue holds only it) checks for the permit {@value #DEFAULT_SPINS}
 * times with {@link Thread#onSpinWait()}, a few microseconds at most, before it parks. Parking
 * and unparking a virtual thread goes through the scheduler, which wakes an idle carrier for
 * each handoff; when the other greenlet's turn is short, the spinner sees the permit come back
 * without any of that, as {@code SynchronousQueue} spins briefly on multiprocessors before
 * blocking. Waits that depend on something else (a timer, an event, a join) never spin. The
 * system property {@code dev.greenlet.spins} sets the count (0 disables it); on a single CPU it
 * is 0, and so it is when the JDK's scheduler has one carrier
 * ({@code -Djdk.virtualThreadScheduler.parallelism=1}), where the other greenlet cannot run
 * until the spinner parks.
 */
final class PermitEngine extends HubEngine {

    static final int DEFAULT_SPINS = 64;
    private static final int SPINS = Runtime.getRuntime().availableProcessors() > 1 && !oneCarrier()
            ? Math.max(0, Integer.getInteger("dev.greenlet.spins", DEFAULT_SPINS)) : 0;

    /** Whether the JDK's virtual-thread scheduler has one carrier: the greenlet handed the turn cannot run while we spin. */
    private static boolean oneCarrier() {
        return "1".equals(System.getProperty("jdk.virtualThreadScheduler.parallelism", "").trim());
    }
    private static final Thread.Builder.OfVirtual THREADS = Thread.ofVirtual().inheritInheritableThreadLocals(false);

    private volatile Greenlet<?> owner;    // holds the run permit; null when no greenlet is ready
    private Slot readyHead;                // guarded by this: FIFO ready queue linked through Slot.readyNext;
    private Slot readyTail;                //   a greenlet is in it at most once; doubly linked (readyPrev)
    private Slot urgentTail;               // guarded by this: the last urgently killed greenlet of the queue's front
                                           //   segment (every urgent one is ahead of every ordinary one); or null
    private long switches;                 // guarded by this: permit handoffs so far
    private boolean timeReadyWaits;        // guarded by this
    private long readyWaitNanos;           // guarded by this: total time greenlets waited ready for the permit
    private long readyWaitCount;           // guarded by this: grants measured
    private final ArrayDeque<Waiter> idleWaiters = new ArrayDeque<>(); // guarded by this; greenlets in idle()
    private boolean held;                  // guarded by this: a virtual clock fires a batch; nobody is granted the permit

    PermitEngine(String hubName, java.util.function.IntSupplier liveCount) {
        super(hubName, liveCount);
    }

    /** This engine's state for one greenlet: its links in the ready queue. */
    static final class Slot implements Strand {
        final Greenlet<?> greenlet;
        volatile Thread thread; // written once at the first grant, cleared by exit
        Slot readyNext;      // guarded by the engine: next in its ready queue
        Slot readyPrev;      // guarded by the engine: previous in its ready queue
        boolean readyUrgent; // guarded by the engine: queued in its urgent front segment
        long readySince;     // guarded by the engine: when it became ready, if timed

        Slot(Greenlet<?> g) {
            this.greenlet = g;
        }

        @Override
        public Thread thread() {
            return thread;
        }
    }

    @Override
    Strand newStrand(Greenlet<?> g) {
        return new Slot(g);
    }

    private static Slot slot(Greenlet<?> g) {
        return (Slot) g.strand;
    }

    @Override
    boolean parksCooperatively() {
        return false; // a JDK wait blocks the greenlet's thread while it holds the turn (invariant 3)
    }

    @Override
    void makeReady(Greenlet<?> greenlet) {
        Slot g = slot(greenlet);
        if (g.thread == null && greenlet.isFinished()) {
            return; // killed before its first turn: it never runs, so it gets no thread (KillTest)
        }
        if (TURN_HOOKS) {
            observeReady(greenlet);
        }
        boolean grant;
        synchronized (this) {
            if (owner == null && !held) {
                g.readySince = timeReadyWaits ? System.nanoTime() : 0; // granted at once: no wait
                handOffLocked(g);
                grant = true;
            } else if (greenlet.isUrgent()) {
                g.readySince = timeReadyWaits ? System.nanoTime() : 0;
                insertUrgentLocked(g);
                grant = false;
            } else {
                appendLocked(g);
                grant = false;
            }
        }
        if (grant) {
            resume(g);
        }
    }

    /** Runs or continues {@code g}'s thread, which now holds the permit. */
    private static void resume(Slot g) {
        Thread t = g.thread;
        if (t == null) {
            // Only a greenlet's first grant gets here, and only one grant is ever pending.
            t = THREADS.unstarted(g.greenlet::body);
            g.thread = t;
            t.start();
        } else if (t != Thread.currentThread()) {
            LockSupport.unpark(t);
        }
    }

    @Override
    void beginTurn(Greenlet<?> me) {
        me.bindToThread();
        awaitPermit(me);
    }

    /** Gives the permit to {@code next} (null: nobody), counting the switch; holding the monitor. */
    private void handOffLocked(Slot next) {
        if (timeReadyWaits && next != null && next.readySince != 0) {
            readyWaitNanos += System.nanoTime() - next.readySince;
            readyWaitCount++;
        }
        owner = next == null ? null : next.greenlet;
        switches++;
        if (TURN_HOOKS && next == null) {
            observeIdle(); // the next grant comes from makeReady, under this monitor: it sees this
        }
    }

    private void appendLocked(Slot g) {
        g.readySince = timeReadyWaits ? System.nanoTime() : 0;
        g.readyPrev = readyTail;
        if (readyTail == null) {
            readyHead = g;
        } else {
            readyTail.readyNext = g;
        }
        readyTail = g;
    }

    /** Queues {@code g} behind the urgently killed greenlets at the queue's front, ahead of the rest. */
    private void insertUrgentLocked(Slot g) {
        g.readyUrgent = true;
        Slot before = urgentTail;
        Slot after = before == null ? readyHead : before.readyNext;
        g.readyPrev = before;
        g.readyNext = after;
        if (before == null) {
            readyHead = g;
        } else {
            before.readyNext = g;
        }
        if (after == null) {
            readyTail = g;
        } else {
            after.readyPrev = g;
        }
        urgentTail = g;
    }

    /** Pops the head of the ready queue, dropping greenlets killed before their first turn: they never run. */
    private Slot pollLocked() {
        Slot g;
        do {
            g = pollOneLocked();
        } while (g != null && g.thread == null && g.greenlet.isFinished());
        return g;
    }

    private Slot pollOneLocked() {
        Slot g = readyHead;
        VirtualClock v = virtual;
        if (v != null && v.readyOrder != null && g != null && !g.readyUrgent && g.readyNext != null) {
            return pollPickedLocked(v); // a test hub's seeded order; urgent kills still go first
        }
        if (g != null) {
            readyHead = g.readyNext;
            g.readyNext = null;
            g.readyUrgent = false;
            if (readyHead == null) {
                readyTail = null;
            } else {
                readyHead.readyPrev = null;
            }
            if (urgentTail == g) {
                urgentTail = null;
            }
        }
        return g;
    }

    /** Takes the ready greenlet that {@code v}'s order picks among all ready ones. */
    private Slot pollPickedLocked(VirtualClock v) {
        int n = 0;
        for (Slot s = readyHead; s != null; s = s.readyNext) {
            n++;
        }
        Slot g = readyHead;
        for (int i = v.pick(n); i > 0; i--) {
            g = g.readyNext;
        }
        unlinkLocked(g);
        return g;
    }

    /** Takes {@code g} out of the ready queue, wherever it is in it; holding this. */
    private void unlinkLocked(Slot g) {
        Slot before = g.readyPrev;
        Slot after = g.readyNext;
        if (before == null) {
            readyHead = after;
        } else {
            before.readyNext = after;
        }
        if (after == null) {
            readyTail = before;
        } else {
            after.readyPrev = before;
        }
        g.readyPrev = g.readyNext = null;
    }

    @Override
    void expedite(Greenlet<?> greenlet) {
        Slot g = slot(greenlet);
        synchronized (this) {
            if (g.readyPrev == null && readyHead != g) {
                return; // not in the ready queue: makeReady will put it in front (g.isUrgent())
            }
            if (g.readyUrgent) {
                return; // already in the urgent segment
            }
            // Unlink it from the ordinary part of the queue, then put it at the urgent segment's end.
            unlinkLocked(g);
            insertUrgentLocked(g);
        }
    }

    /** Pops the next ready greenlet; when none is ready, wakes the greenlets waiting in idle(). */
    private Slot nextReadyLocked() {
        Slot next = pollLocked();
        if (next == null && !idleWaiters.isEmpty()) {
            Waiter w;
            while ((w = idleWaiters.pollFirst()) != null) {
                if (w.resolveQuietly(Waiter.SIGNALLED)) {
                    appendLocked(slot(w.greenlet));
                }
            }
            next = pollLocked();
        }
        return next;
    }

    /** Hands the permit to the next ready greenlet, or to nobody; returns without waiting. */
    private void handOn() {
        Slot next;
        synchronized (this) {
            next = nextReadyLocked();
            handOffLocked(next);
        }
        if (next != null) {
            resume(next);
        } else if (virtual != null) {
            virtual.hubIdle();
        }
    }

    /** Parks the calling greenlet's thread until it holds the permit. */
    private void awaitPermit(Greenlet<?> me) {
        while (owner != me) {
            LockSupport.park(this);
        }
        if (TURN_HOOKS) {
            observeStart(me);
        }
    }

    @Override
    void suspend(Greenlet<?> me, Waiter w) {
        checkHolds(me);
        if (TURN_HOOKS) {
            observeEnd(me, TurnListener.End.WAIT, w.blocker); // before the handoff: the next turn's start comes after
        }
        Slot next;
        synchronized (this) {
            next = nextReadyLocked();
            handOffLocked(next);
        }
        if (next == me.strand) {
            if (TURN_HOOKS) {
                observeStart(me); // woken already: its next turn starts at once
            }
            return;
        }
        if (next != null) {
            resume(next);
        } else if (virtual != null) {
            virtual.hubIdle();
        }
        awaitPermit(me);
    }

    @Override
    void exit(Greenlet<?> me) {
        slot(me).thread = null; // its thread ends now: the handle must not keep it (HubEngine.exit)
        if (TURN_HOOKS) {
            observeEnd(me, TurnListener.End.EXIT, null);
        }
        handOn();
    }

    @Override
    void passTurn(Greenlet<?> me) {
        checkHolds(me);
        if (TURN_HOOKS) {
            observeEnd(me, TurnListener.End.YIELD, null);
            observeSelfReady(me); // it queues again (as the carrier engine's yield resubmits it)
        }
        Slot mine = slot(me);
        Slot next;
        boolean nextInLine;
        synchronized (this) {
            if (readyHead == null) {
                // The caller is the only ready greenlet: keep the permit. The hub is not idle
                // (the caller runs on), so idle() waiters stay waiting, as in gevent.
                if (TURN_HOOKS) {
                    observeStart(me);
                }
                return;
            }
            if (me.isUrgent()) {
                mine.readySince = timeReadyWaits ? System.nanoTime() : 0;
                insertUrgentLocked(mine); // its kill is still pending: it stays ahead of ordinary turns
            } else {
                appendLocked(mine);
            }
            next = pollLocked();
            handOffLocked(next);
            nextInLine = readyHead == mine;
        }
        resume(next);
        if (nextInLine) {
            for (int i = 0; i < SPINS; i++) {
                if (owner == me) {
                    if (TURN_HOOKS) {
                        observeStart(me);
                    }
                    return;
                }
                Thread.onSpinWait();
            }
        }
        awaitPermit(me);
    }

    @Override
    synchronized boolean waitForIdle(Waiter w) {
        if (readyHead == null) {
            return false;
        }
        idleWaiters.addLast(w);
        return true;
    }

    /**
     * The permit holder {@code me} hands the permit on, runs {@code job} on its own virtual
     * thread while the hub's other greenlets run, then queues for the permit again. A kill or
     * timeout that arrives meanwhile interrupts the thread and lands when the call returns.
     */
    @Override
    void offload(Greenlet<?> me, Runnable job) {
        checkHolds(me);
        me.landPending();
        me.startOffload();
        if (TURN_HOOKS) {
            observeEnd(me, TurnListener.End.OFFLOAD, null);
        }
        handOn();
        job.run();
        me.endOffload();
        makeReady(me);
        awaitPermit(me);
        me.landPending();
    }

    @Override
    void interruptForeignWait(Greenlet<?> g) {
        // Only an offloaded call waits outside the library here; everything else either holds
        // the permit (the kill lands at its next cooperative point) or waits in a Waiter.
        g.killDelivery().interruptOffload();
    }

    @Override
    boolean inForeignWait(Greenlet<?> g) {
        return false; // a greenlet without a Waiter either holds the permit or is ready for it
    }

    /**
     * Fails loudly if {@code me} does not hold the permit it is about to give up: handing on a
     * permit one does not hold would let two greenlets run at once.
     */
    private void checkHolds(Greenlet<?> me) {
        if (owner != me) {
            throw new IllegalStateException(me + " tried to give up the run permit of hub '" + hubName
                    + "' without holding it (held by " + owner + "); this is a bug in greenlet-core");
        }
    }

    @Override
    Greenlet<?> running() {
        return owner;
    }

    @Override
    synchronized boolean isIdle() {
        return owner == null && !held; // while a batch fires, its greenlets are ready but have no turn yet
    }

    @Override
    void fireBatch(Runnable batch) {
        synchronized (this) {
            held = true;
        }
        Slot next = null;
        try {
            batch.run();
        } finally {
            synchronized (this) {
                held = false;
                if (owner == null) {
                    next = nextReadyLocked();
                    if (next != null) {
                        handOffLocked(next);
                    }
                }
            }
        }
        if (next != null) {
            resume(next);
        }
    }

    @Override
    synchronized long switchCount() {
        return switches;
    }

    @Override
    synchronized void setReadyWaitTiming(boolean on) {
        timeReadyWaits = on;
    }

    @Override
    synchronized long readyWaitNanos() {
        return readyWaitNanos;
    }

    @Override
    synchronized long readyWaitCount() {
        return readyWaitCount;
    }
}
