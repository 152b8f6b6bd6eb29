package dev.greenlet;

import dev.greenlet.engine.Carriers;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The carrier engine (gevent's {@code patch_all()} for the JVM): the hub is a virtual-thread
 * scheduler with exactly one carrier, a platform thread of the hub's own that runs its
 * greenlets' virtual threads one at a time, in FIFO order. Whatever parks a virtual thread
 * hands the carrier to the next greenlet: sockets, {@code Thread.sleep}, {@code synchronized}
 * and {@code Object.wait} (JDK 24+), {@code java.util.concurrent} locks, queues and futures,
 * connection pools. So every such call is a cooperative point, and a lock held across I/O
 * cannot deadlock the hub as it can in the permit engine.
 *
 * <p>Implementation overview. Each greenlet's virtual thread is built with a scheduler of its
 * own, a {@link GreenletExecutor}: the JDK hands it the thread's continuation whenever the
 * thread becomes runnable (started, unparked, unblocked, yielded), and it queues itself for the
 * carrier. The run queue is split in two: a plain FIFO linked through the tasks, touched only
 * on the carrier thread (by the carrier itself and by the greenlet it runs, which is the same
 * OS thread), and a lock-free inbox for what other threads submit (timers, pollers, the JDK's
 * unblocker, outside threads), drained into the FIFO before each turn. The carrier runs one
 * task at a time, so at most one greenlet runs (invariant 1), and each turn starts after the
 * previous one unmounted on the same thread (happens-before). A task is in the queue at most
 * once: the JDK submits a continuation only on its thread's transition to runnable.
 *
 * <p>One exception to FIFO, for JDK handoffs (Go's {@code runnext}): a greenlet that the
 * running greenlet wakes through the JDK (it returns a pooled connection, releases a lock,
 * completes a future, hands an item through a {@code SynchronousQueue}) takes a one-task slot
 * and runs next, before the FIFO's head, so that what was handed to it is still there when it
 * runs. Without it, every greenlet ahead of it in the FIFO may take the thing first (HikariCP
 * hands a connection to its longest waiter but leaves it takeable by anyone), and under load
 * a waiter loses again and again: measured, 10,000 requests on a pool of 10 had a p99 latency
 * twice that of virtual threads. The slot holds one greenlet (later handoffs queue FIFO), and
 * the carrier alternates it with the FIFO's head, so two greenlets handing off to each other
 * get at most half of the carrier. The library's own wake-ups (events, locks, queues, joins)
 * and spawns never use it: gevent's order (docs/ARCHITECTURE.md invariant 2, hazard 7) stays exact.
 *
 * <p>Urgent kills (docs/ARCHITECTURE.md, protocol P3) have a lane of their own ahead of all
 * this: an urgently killed greenlet's continuation goes to {@code urgentInbox}, and an
 * {@link Expedite} there makes the carrier move its turn out of the ordinary queue into
 * {@code urgentLocal} and interrupt a foreign wait it is parked in, before the next ordinary
 * turn.
 *
 * <p>Who writes what (the full table is in docs/ARCHITECTURE.md, section 7):
 * {@code localHead/localTail/runNext/ranNext/libraryWake}, {@code urgentLocal},
 * {@code idleWaiters}, {@code mounted} and the timing sums are written only on the carrier
 * thread; {@code running} and {@code turns} only by the carrier, with release writes (read
 * with acquire by the monitor and metrics); {@code state} by the carrier and by submitters
 * (CAS); {@code inbox}, {@code urgentInbox} and {@code urgentSubmitted} by anyone.
 *
 * <p>The JDK's rules this class keeps (docs/ARCHITECTURE.md, hazards 1 to 3 and 8):
 * <ul>
 * <li>{@link GreenletExecutor#execute} never throws and never blocks: the JDK calls it from its own
 * threads (pollers, the unblocker, timers), pinned, and a throw there would break I/O for the
 * whole JVM. A closed hub keeps accepting; its carrier runs until no greenlet is left.</li>
 * <li>A virtual thread started inside a greenlet inherits its GreenletExecutor as scheduler; the executor
 * tells its own continuation from theirs and hands theirs to the JDK's default scheduler, so
 * they are plain virtual threads, never run on the carrier, and no JDK-internal thread (the
 * socket pollers) ever lives on a hub.</li>
 * <li>The carrier survives any throwable from a task, says so at ERROR, and a carrier that
 * ends anyway is replaced by the next submission. It ends on its own when the hub has no live
 * greenlet and has been idle for {@value #LINGER_MS} ms, or at once when the hub is closed
 * and empty, so an idle hub holds no thread; the next submission starts a new one.</li>
 * </ul>
 */
final class CarrierEngine extends HubEngine {

    private static final System.Logger LOG = System.getLogger(CarrierEngine.class.getName());
    static final long LINGER_MS = 1000;

    private static final java.lang.invoke.VarHandle RUNNING_G;
    private static final java.lang.invoke.VarHandle TURNS;
    private static final java.lang.invoke.VarHandle THREAD; // GreenletExecutor.thread
    static {
        try {
            java.lang.invoke.MethodHandles.Lookup l = java.lang.invoke.MethodHandles.lookup();
            THREAD = l.findVarHandle(GreenletExecutor.class, "thread", Thread.class);
            RUNNING_G = l.findVarHandle(CarrierEngine.class, "running", Greenlet.class);
            TURNS = l.findVarHandle(CarrierEngine.class, "turns", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int RUNNING = 0;  // the carrier runs tasks, or is about to look for some
    private static final int PARKED = 1;   // the carrier is parked; a submitter must unpark it
    private static final int STOPPED = 2;  // no carrier thread; a submitter must start one

    /** Work for the carrier: a greenlet's turn, or an action of the engine itself. */
    private abstract static class Task {
        Task next;  // carrier thread only: next in the local FIFO

        abstract void perform();
    }

    /** What a greenlet's {@code continuation} becomes once its thread ends: never a task the JDK submits. */
    private static final Runnable ENDED = () -> { };

    /**
     * The scheduler of one greenlet's virtual thread, and that greenlet's entry in the run
     * queue: this engine's {@link Strand} for it, created with the greenlet. The JDK calls {@link #execute} with the thread's continuation each time the thread
     * becomes runnable.
     */
    private final class GreenletExecutor extends Task implements Strand, Executor, Runnable {
        final Greenlet<?> greenlet;
        volatile Thread thread;         // written by the carrier at the first turn (startThread), cleared by exit
        private Runnable continuation;  // the greenlet thread's own task: the first one submitted (by its start);
                                        //   ENDED from exit on (written on the greenlet's thread, in its turn)
        private boolean starting;       // carrier thread only: the carrier is starting the thread to run it at once
        long readySince;                // written by the submitter before it queues this, read by the carrier

        GreenletExecutor(Greenlet<?> greenlet) {
            this.greenlet = greenlet;
        }

        @Override
        public void execute(Runnable task) {
            if (continuation == null) {
                continuation = task; // Thread.start(), called by the carrier before anything else can submit
                if (starting) {
                    return; // the carrier runs it right away, in this GreenletExecutor's place in the queue
                }
            } else if (task != continuation) {
                // A virtual thread that this greenlet started: it inherited this scheduler.
                foreign(task);
                return;
            }
            if (greenlet.isUrgent()) {
                submitUrgent(this);
            } else {
                submit(this);
            }
        }

        @Override
        void perform() {
            continuation.run();
        }

        /**
         * The greenlet's first turn: creates its virtual thread now, on the carrier, rather than
         * at spawn, so that a burst of spawns holds no threads (nor their continuations) until
         * each greenlet's turn comes; false for a greenlet killed before it started, which then
         * never gets a thread at all.
         */
        boolean startThread() {
            if (greenlet.isFinished()) {
                return false;
            }
            Thread t = Carriers.newThread(this, this); // inherits no thread-locals (Greenlet.body sets its loader)
            thread = t;
            starting = true;
            try {
                t.start(); // hands this GreenletExecutor the continuation, which the carrier runs at once
            } finally {
                starting = false;
            }
            return true;
        }

        /** The greenlet's thread runs this: the greenlet's body (the GreenletExecutor doubles as it, one object less). */
        @Override
        public void run() {
            greenlet.body();
        }

        @Override
        public Thread thread() {
            return thread;
        }

        @Override
        public String toString() {
            return "turn of " + greenlet;
        }
    }

    /**
     * An urgent kill's request, queued in {@code urgentInbox}: if {@code greenlet}'s turn is in
     * the run queue, the carrier moves it to {@code urgentLocal}; and it delivers the kill to a
     * foreign wait {@code greenlet} is parked in.
     */
    private static final class Expedite extends Task {
        final Greenlet<?> greenlet;

        Expedite(Greenlet<?> greenlet) {
            this.greenlet = greenlet;
        }

        @Override
        void perform() {
        }

        @Override
        public String toString() {
            return "urgent kill of " + greenlet;
        }
    }

    private final ConcurrentLinkedQueue<Task> inbox = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Task> urgentInbox = new ConcurrentLinkedQueue<>(); // urgently killed greenlets' turns, Expedites
    private final ArrayDeque<Task> urgentLocal = new ArrayDeque<>(); // carrier thread only: runs before anything else
    private volatile boolean urgentSubmitted; // set after each offer to urgentInbox, cleared by the carrier before it drains it:
                                              //   the hot path reads one field, not the queue
    private final AtomicInteger state = new AtomicInteger(STOPPED);
    private final ArrayDeque<Waiter> idleWaiters = new ArrayDeque<>(); // carrier thread only
    private Task localHead;                  // carrier thread only: FIFO of ready tasks
    private Task localTail;                  // carrier thread only
    private GreenletExecutor runNext;        // carrier thread only: woken by a JDK handoff from the running greenlet
    private boolean ranNext;                 // carrier thread only: the last task taken was runNext
    private boolean libraryWake;             // carrier thread only: makeReady is waking (gevent's order: FIFO)
    private volatile Thread carrier;         // the current carrier thread (null before the first)
    private Thread mounted;                  // carrier thread only (others may read it: it never equals their own thread)
    private Greenlet<?> running;             // written by the carrier only, with release (RUNNING): the greenlet whose
                                             //   turn runs, or null; others read it with acquire
    private long turns;                      // written by the carrier only, with release (TURNS); others read with acquire
    private volatile boolean timeReadyWaits;
    private TurnListener.End turnEnd;        // carrier thread only (written by the mounted greenlet) while turns are
    private Object turnEndBlocker;           //   observed: how the running turn ended; null: a JDK park
    private volatile long readyWaitNanos;    // written by the carrier only
    private volatile long readyWaitCount;    // written by the carrier only
    private volatile boolean closed;
    private int carriersStarted;             // guarded by this: for thread names

    CarrierEngine(String hubName, java.util.function.IntSupplier liveCount) {
        super(hubName, liveCount);
        Carriers.checkAvailable("the carrier engine of hub '" + hubName + "'");
    }

    @Override
    Strand newStrand(Greenlet<?> g) {
        return new GreenletExecutor(g);
    }

    @Override
    boolean parksCooperatively() {
        return true; // the JDK parks the virtual thread, which frees the carrier for the next turn
    }

    /** The carrier-engine greenlet whose own thread {@code t} is, or null. */
    static Greenlet<?> greenletOf(Thread t) {
        return Carriers.schedulerOf(t) instanceof GreenletExecutor exec && exec.thread == t ? exec.greenlet : null;
    }

    // ---------------------------------------------------------------- the run queue

    /** Whether the calling code runs on this hub's carrier (the carrier itself, or a greenlet it runs). */
    private boolean onCarrier() {
        Thread t = Thread.currentThread();
        return t == mounted || t == carrier;
    }

    /** Queues {@code t} for the carrier. Never throws, never blocks. */
    private void submit(Task t) {
        if (TURN_HOOKS && observer != null && t instanceof GreenletExecutor exec) {
            observeReady(exec.greenlet);
        }
        if (timeReadyWaits && t instanceof GreenletExecutor exec) {
            exec.readySince = System.nanoTime();
        }
        if (onCarrier()) {
            drainInbox(); // what other threads made ready meanwhile goes first: it was ready before t
            if (runNext == null && !libraryWake && t instanceof GreenletExecutor exec && mounted != null
                    && Thread.currentThread() == mounted && exec.thread != mounted) {
                runNext = exec; // a JDK handoff (a pool's connection, a lock, a future) from the running greenlet
                return;
            }
            appendLocal(t);
            return;
        }
        inbox.offer(t);
        if (t instanceof GreenletExecutor exec && exec.greenlet.isUrgent()) {
            // Killed urgently while this was being submitted: the killer's Expedite may have
            // looked for it before it was here; look again.
            urgentInbox.offer(new Expedite(exec.greenlet));
            urgentSubmitted = true;
        }
        wakeCarrier();
    }

    /** Queues {@code t} (an urgently killed greenlet's turn, or an Expedite) ahead of all ordinary work. */
    private void submitUrgent(Task t) {
        urgentInbox.offer(t);
        urgentSubmitted = true;
        if (!onCarrier()) {
            wakeCarrier();
        }
    }

    /** Whether other threads submitted anything not yet taken. */
    private boolean submitted() {
        return !inbox.isEmpty() || !urgentInbox.isEmpty();
    }

    private void appendLocal(Task t) {
        if (localTail == null) {
            localHead = t;
        } else {
            localTail.next = t;
        }
        localTail = t;
    }

    private Task pollLocal() {
        Task t = localHead;
        if (t != null) {
            localHead = t.next;
            t.next = null;
            if (localHead == null) {
                localTail = null;
            }
        }
        return t;
    }

    /** Takes the local task that a test hub's seeded order picks (the head, for FIFO). */
    private Task pollPicked(VirtualClock v) {
        if (v.readyOrder == null || localHead == null || localHead.next == null) {
            return pollLocal();
        }
        int n = 0;
        for (Task t = localHead; t != null; t = t.next) {
            n++;
        }
        int i = v.pick(n);
        if (i == 0) {
            return pollLocal();
        }
        Task prev = localHead;
        for (; i > 1; i--) {
            prev = prev.next;
        }
        Task t = prev.next;
        prev.next = t.next;
        if (localTail == t) {
            localTail = prev;
        }
        t.next = null;
        return t;
    }

    /** Moves what other threads submitted to the local FIFO's tail, in the order they submitted it. */
    private void drainInbox() {
        Task t;
        while ((t = inbox.poll()) != null) {
            appendLocal(t);
        }
    }

    /**
     * The next task: {@link #runNext} if the last one was not it, else the FIFO's head (what
     * other threads submitted goes behind what is queued locally), else {@code runNext}.
     */
    private Task next() {
        if (urgentSubmitted) {
            urgentSubmitted = false;
            takeUrgent();
        }
        if (!urgentLocal.isEmpty()) {
            return urgentLocal.pollFirst();
        }
        GreenletExecutor handedOff = runNext;
        if (handedOff != null && !ranNext) {
            runNext = null;
            ranNext = true;
            return handedOff;
        }
        drainInbox();
        Task t = virtual == null ? pollLocal() : pollPicked(virtual);
        if (t == null && handedOff != null) {
            runNext = null;
            ranNext = true;
            return handedOff;
        }
        ranNext = false;
        return t;
    }

    /**
     * Takes what {@code urgentInbox} holds: urgent turns go to {@code urgentLocal} as they are;
     * each Expedite moves its greenlet's turn, if queued, from the ordinary queue to
     * {@code urgentLocal} (one pass for all of them) and delivers its kill to a foreign wait.
     */
    private void takeUrgent() {
        java.util.Set<Greenlet<?>> wanted = null;
        Task t;
        while ((t = urgentInbox.poll()) != null) {
            if (t instanceof Expedite e) {
                if (wanted == null) {
                    wanted = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
                }
                wanted.add(e.greenlet);
            } else {
                urgentLocal.addLast(t);
            }
        }
        if (wanted == null) {
            return;
        }
        drainInbox();
        if (runNext != null && wanted.contains(runNext.greenlet)) {
            urgentLocal.addLast(runNext);
            runNext = null;
        }
        Task prev = null;
        for (Task cur = localHead; cur != null; ) {
            Task after = cur.next;
            if (cur instanceof GreenletExecutor exec && wanted.contains(exec.greenlet)) {
                if (prev == null) {
                    localHead = after;
                } else {
                    prev.next = after;
                }
                if (localTail == cur) {
                    localTail = prev;
                }
                cur.next = null;
                urgentLocal.addLast(cur);
            } else {
                prev = cur;
            }
            cur = after;
        }
        for (Greenlet<?> g : wanted) {
            deliverPending(g); // parked in a foreign wait: interrupt it now, not behind the queue
        }
    }

    private static void foreign(Runnable task) {
        try {
            Carriers.defaultScheduler().execute(task);
        } catch (RuntimeException | Error e) {
            // Only a JVM that is shutting down refuses; the JDK would lose the thread either way.
            LOG.log(System.Logger.Level.ERROR, "the JDK's default scheduler refused a virtual thread's task", e);
        }
    }

    private void wakeCarrier() {
        while (true) {
            int s = state.get();
            if (s == RUNNING) {
                return;
            }
            if (state.compareAndSet(s, RUNNING)) {
                if (s == PARKED) {
                    LockSupport.unpark(carrier);
                } else {
                    startCarrier();
                }
                return;
            }
        }
    }

    private void startCarrier() {
        String name;
        synchronized (this) {
            name = "greenlet-carrier-" + hubName + (carriersStarted++ == 0 ? "" : "-" + carriersStarted);
        }
        try {
            Thread t = Thread.ofPlatform().daemon().inheritInheritableThreadLocals(false).name(name).unstarted(this::loop);
            t.setUncaughtExceptionHandler((thread, e) -> LOG.log(System.Logger.Level.ERROR,
                    "the carrier thread of hub '" + hubName + "' died; a new one starts with the next task", e));
            carrier = t;
            t.start();
        } catch (Throwable e) {
            // Never into the JDK thread that submitted (hazard 2): say so, and let the next
            // submission try again. What is queued waits for it.
            state.set(STOPPED);
            LOG.log(System.Logger.Level.ERROR, "could not start a carrier thread for hub '" + hubName
                    + "'; its greenlets wait until the next submission starts one", e);
        }
    }

    // ---------------------------------------------------------------- the carrier

    private void loop() {
        boolean normalExit = false;
        try {
            while (true) {
                VirtualClock v = virtual;
                if (v != null && v.firing) {
                    Thread.onSpinWait(); // a test hub's clock queues a batch of timers: none runs before all are queued
                    continue;
                }
                Task t = next();
                if (t != null) {
                    runTask(t);
                    continue;
                }
                if (TURN_HOOKS) {
                    observeIdle(); // nothing to run: the next turn's start is read anew
                }
                if (wakeIdleWaiters()) {
                    continue;
                }
                boolean empty = liveCount() == 0;
                if (empty && closed) {
                    if (stop()) {
                        normalExit = true;
                        return;
                    }
                    continue;
                }
                state.set(PARKED);
                if (submitted()) {
                    state.compareAndSet(PARKED, RUNNING); // else a submitter set RUNNING and unparks us
                    continue;
                }
                if (virtual != null) {
                    virtual.hubIdle(); // a test hub's clock may jump now (it only wakes its own thread)
                }
                if (!empty) {
                    while (state.get() == PARKED) {
                        LockSupport.park(this);
                    }
                    continue;
                }
                // No live greenlet: linger a while, then end, so that an idle hub holds no thread.
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(LINGER_MS));
                if (state.get() == PARKED && state.compareAndSet(PARKED, STOPPED)) {
                    if (liveCount() == 0 && !submitted() || !state.compareAndSet(STOPPED, RUNNING)) {
                        normalExit = true; // (a submitter that comes now starts a new carrier)
                        return;
                    }
                }
            }
        } finally {
            if (!normalExit) {
                // Only an Error thrown outside any task gets here (the uncaught-exception handler
                // says which). Let the next submission start a carrier; restart now if work waits.
                if (runNext != null) {
                    inbox.offer(runNext);
                    runNext = null;
                }
                while (localHead != null) {
                    inbox.offer(pollLocal()); // before STOPPED: a new carrier must find them in the inbox
                }
                Task u;
                while ((u = urgentLocal.pollLast()) != null) {
                    urgentInbox.offer(u); // (their order among urgent ones may change: they stay ahead of the rest)
                    urgentSubmitted = true;
                }
                state.set(STOPPED);
                if (submitted()) {
                    wakeCarrier();
                }
            }
        }
    }

    /** Ends this carrier; false if work arrived meanwhile and it must go on. */
    private boolean stop() {
        state.set(STOPPED);
        return !submitted() || !state.compareAndSet(STOPPED, RUNNING);
    }

    private void runTask(Task t) {
        GreenletExecutor exec = t instanceof GreenletExecutor e ? e : null;
        Greenlet<?> g = exec == null ? null : exec.greenlet;
        if (exec != null) {
            Runnable c = exec.continuation;
            if (c == ENDED || c == null && !exec.startThread()) {
                return; // its thread ended, or it was killed before its first turn
            }
            if (timeReadyWaits && exec.readySince != 0) {
                readyWaitNanos = readyWaitNanos + (System.nanoTime() - exec.readySince);
                readyWaitCount = readyWaitCount + 1;
                exec.readySince = 0;
            }
            mounted = exec.thread;
            // Release, not volatile, writes: readers (the monitor, metrics) need the value, not a
            // fence on every turn of the hot path.
            RUNNING_G.setRelease(this, g);
            TURNS.setRelease(this, turns + 1);
            if (TURN_HOOKS) {
                observeStart(g);
            }
        }
        try {
            t.perform();
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.ERROR, "a task on the carrier of hub '" + hubName + "' threw (" + t
                    + "); the carrier goes on. This is a bug in greenlet-core or the JDK", e);
        } finally {
            if (exec != null) {
                if (TURN_HOOKS && observer != null) {
                    observeEnd(g, turnEnd == null ? TurnListener.End.PARKED : turnEnd, turnEndBlocker);
                    turnEnd = null;
                    turnEndBlocker = null;
                }
                RUNNING_G.setRelease(this, (Greenlet<?>) null);
                mounted = null;
                if (g.hasPendingThrow()) {
                    deliverPending(g);
                }
            }
        }
    }

    /** On the carrier, with no greenlet mounted: wakes the idle() waiters when nothing is ready. */
    private boolean wakeIdleWaiters() {
        boolean woke = false;
        Waiter w;
        while ((w = idleWaiters.pollFirst()) != null) {
            woke |= w.signal();
        }
        return woke;
    }

    // ---------------------------------------------------------------- the engine's operations

    @Override
    void makeReady(Greenlet<?> g) {
        // The library's wake-ups and spawns keep gevent's order: to the FIFO's tail, never runNext.
        GreenletExecutor exec = (GreenletExecutor) g.strand;
        Thread t = exec.thread;
        if (t == null) {
            // Its first turn (makeReady is called once for it): queue its GreenletExecutor; the
            // carrier creates its thread when the turn comes (GreenletExecutor.startThread).
            if (onCarrier()) {
                // A spawn in a greenlet of this hub: no JDK handoff (runNext), no inbox, no wake-up;
                // only what other threads made ready meanwhile goes first, as in submit().
                if (timeReadyWaits) {
                    exec.readySince = System.nanoTime();
                }
                if (TURN_HOOKS) {
                    observeReady(g); // (submit() does this for the other paths)
                }
                drainInbox();
                appendLocal(exec);
            } else {
                submit(exec);
            }
            return;
        }
        if (!onCarrier()) {
            LockSupport.unpark(t); // the JDK submits it from here: to the inbox
            return;
        }
        libraryWake = true;
        try {
            LockSupport.unpark(t);
        } finally {
            libraryWake = false;
        }
    }

    @Override
    void beginTurn(Greenlet<?> me) {
        // The carrier runs one greenlet at a time: a greenlet that runs has its turn.
    }

    @Override
    void suspend(Greenlet<?> me, Waiter w) {
        boolean interrupted = false;
        while (w.isWaiting()) {
            if (TURN_HOOKS) {
                noteTurnEnd(w.blocker instanceof OffloadedCall ? TurnListener.End.OFFLOAD : TurnListener.End.WAIT, w.blocker);
            }
            LockSupport.park(w.blocker);
            // An interrupt ends every park at once; keep it for after the wait rather than spin.
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    void passTurn(Greenlet<?> me) {
        if (TURN_HOOKS) {
            noteTurnEnd(TurnListener.End.YIELD, null);
        }
        Thread.yield(); // the JDK resubmits the continuation: it goes behind everything ready
    }

    @Override
    boolean waitForIdle(Waiter w) {
        if (localHead == null && runNext == null && urgentLocal.isEmpty() && !submitted()) {
            return false; // nothing else is ready: the hub is idle now
        }
        idleWaiters.addLast(w); // on the carrier thread: the caller runs there
        return true;
    }

    /**
     * Runs {@code job} on a virtual thread of the JDK's default scheduler (whose carriers the
     * JDK compensates when a call blocks without parking: file I/O) while {@code me} waits
     * cooperatively for it. A kill or timeout of {@code me} meanwhile interrupts that thread
     * and lands once the call has returned, as in the permit engine.
     */
    @Override
    void offload(Greenlet<?> me, Runnable call) {
        me.landPending();
        OffloadedCall job = new OffloadedCall(me, call);
        me.startOffload(); // before the worker starts: run-info says OFFLOADED from here on
        Thread worker = Carriers.builder(Carriers.defaultScheduler()).inheritInheritableThreadLocals(false).unstarted(job);
        worker.start();
        boolean interruptSent = false;
        while (!job.done) {
            Waiter w = Waiter.forGreenlet(me, job);
            me.waiter = w;
            job.waiter = w;
            // Pairs with KillDelivery.raise(): it writes the pending throw, then reads waiter.
            if (me.hasPendingThrow() && !interruptSent) {
                worker.interrupt();
                interruptSent = true;
            }
            if (!job.done) {
                suspend(me, w);
            }
            me.waiter = null;
            if (w.state() == Waiter.INTERRUPTED && !interruptSent) {
                worker.interrupt();
                interruptSent = true;
            }
        }
        me.endOffload();
        me.landPending();
    }

    /** An offloaded call: runs as if on the greenlet (current() is it), but without its turn. */
    private static final class OffloadedCall implements Runnable {
        private final Greenlet<?> greenlet;
        private final Runnable call;    // keeps what the call returned or threw itself (Hub.offload)
        volatile boolean done;          // written after the call, read by the greenlet
        volatile Waiter waiter;         // the greenlet's current wait for this call

        OffloadedCall(Greenlet<?> greenlet, Runnable call) {
            this.greenlet = greenlet;
            this.call = call;
        }

        @Override
        public void run() {
            Greenlet.enterOffload(greenlet);
            try {
                call.run();
            } finally {
                Greenlet.leaveOffload();
                done = true;
                Waiter w = waiter;
                if (w != null) {
                    w.signal();
                }
            }
        }

        @Override
        public String toString() {
            return "offloaded call of " + greenlet;
        }
    }

    @Override
    void exit(Greenlet<?> me) {
        // Its virtual thread ends; the carrier moves on by itself. The handle must not keep the
        // thread (HubEngine.exit): neither directly nor through the JDK's task for it, which is
        // bound to the thread (and so to its continuation and stack). The JDK submits nothing
        // more for an ending thread. ENDED, not null: a virtual thread this greenlet started, which
        // inherited this scheduler and may outlive it, must still be told from its own thread.
        GreenletExecutor exec = (GreenletExecutor) me.strand;
        THREAD.setRelease(exec, (Thread) null); // a release, not a volatile, write: nothing here needs the fence
        exec.continuation = ENDED;
        if (TURN_HOOKS) {
            noteTurnEnd(TurnListener.End.EXIT, null);
        }
    }

    /**
     * The mounted greenlet says why its turn is about to end (the carrier reports the end when
     * the virtual thread unmounts: {@link #runTask}). A turn that ends without this parked in a
     * JDK wait.
     */
    private void noteTurnEnd(TurnListener.End how, Object blocker) {
        if (observer != null) {
            turnEnd = how;
            turnEndBlocker = blocker;
        }
    }

    @Override
    void expedite(Greenlet<?> g) {
        submitUrgent(new Expedite(g));
    }

    @Override
    void interruptForeignWait(Greenlet<?> g) {
        if (g.isUrgent()) {
            expedite(g); // delivered ahead of the ordinary work
            return;
        }
        if (onCarrier()) {
            if (g.strand.thread() != Thread.currentThread()) {
                deliverPending(g); // g is not mounted: the caller is
            }
            return;
        }
        runOnCarrier(new Runnable() {
            @Override
            public void run() {
                deliverPending(g);
            }

            @Override
            public String toString() {
                return "kill delivery to " + g;
            }
        });
    }

    /** Runs {@code action} on the carrier between two turns: the engine's own work. Never throws. */
    void runOnCarrier(Runnable action) {
        submit(new Task() {
            @Override
            void perform() {
                action.run();
            }

            @Override
            public String toString() {
                return String.valueOf(action);
            }
        });
    }

    /**
     * On the carrier, with {@code g} not mounted: if a kill or timeout is pending in {@code g}
     * and {@code g} is parked in a wait that is not the library's (a socket read, a lock,
     * {@code Thread.sleep}), interrupts it, once. A {@code g} that is ready keeps the kill
     * pending: it lands at its next cooperative point, and if that is again a foreign wait,
     * this runs again when its turn ends.
     */
    private void deliverPending(Greenlet<?> g) {
        if (!g.hasPendingThrow() || g.waiter != null || g.isDead()) {
            return;
        }
        if (isParked(g.strand.thread())) {
            g.killDelivery().interruptForKill();
        }
    }

    /** Whether {@code t} is parked or blocked (in some wait), as opposed to new, ready, running or ended. */
    private static boolean isParked(Thread t) {
        if (t == null) {
            return false;
        }
        Thread.State s = t.getState();
        return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.BLOCKED;
    }

    @Override
    boolean inForeignWait(Greenlet<?> g) {
        return RUNNING_G.getAcquire(this) != g && isParked(g.strand.thread());
    }

    @Override
    Greenlet<?> running() {
        return (Greenlet<?>) RUNNING_G.getAcquire(this);
    }

    @Override
    boolean isIdle() {
        return state.get() != RUNNING;
    }

    @Override
    void fireBatch(Runnable batch) {
        // On the caller's thread, as the timer thread fires timers: never on the carrier, which
        // must not wait for a monitor a greenlet may hold (a Timeout's). The carrier runs no
        // turn while the clock's 'firing' is set (see loop), so the whole batch is queued first.
        batch.run();
    }

    @Override
    long switchCount() {
        return (long) TURNS.getAcquire(this);
    }

    @Override
    void setReadyWaitTiming(boolean on) {
        timeReadyWaits = on;
    }

    @Override
    long readyWaitNanos() {
        return readyWaitNanos;
    }

    @Override
    long readyWaitCount() {
        return readyWaitCount;
    }

    @Override
    void reopen() {
        closed = false;
    }

    @Override
    void close() {
        closed = true;
        if (state.get() == PARKED) {
            wakeCarrier(); // so that an idle carrier sees it and ends
        }
    }
}
