package dev.greenlet;

import java.util.function.IntSupplier;

/**
 * How a hub runs its greenlets one at a time: the seam between a {@link Hub} (what greenlets
 * it has, their bookkeeping, its API) and its engine (whose turn it is). There are two:
 * {@link PermitEngine} hands a run permit from greenlet to greenlet; {@link CarrierEngine}
 * gives the hub one carrier thread that runs its greenlets' virtual threads.
 *
 * <p>What every engine guarantees (docs/ARCHITECTURE.md, invariants 1 and 2; protocol P6): at most one greenlet of the
 * hub runs user code at a time, each handoff is a happens-before edge, and greenlets run in the
 * order they were made ready (FIFO). A greenlet gives up its turn only in {@link #suspend},
 * {@link #yieldNow}, {@link #passTurn}, {@link #offload} and {@link #exit} (and, in the carrier engine, wherever
 * its virtual thread parks).
 *
 * <p>The protocol the hub and the waits follow: a greenlet that waits registers a
 * {@link Waiter} (which is the only thing that will make it ready again) and calls
 * {@link #suspend}; whoever resolves the waiter calls {@link #makeReady}, exactly once. A
 * greenlet is made ready for its first turn exactly once too (on start, or when its
 * {@code startLater} timer fires).
 */
abstract sealed class HubEngine permits PermitEngine, CarrierEngine {

    /**
     * Whether the engines call the turn observer at all: {@code -Ddev.greenlet.turnHooks=false}
     * compiles the hooks out (a static final the JIT folds), only so that a benchmark can
     * compare the same code without them (docs/ARCHITECTURE.md, section "The turn observer").
     */
    static final boolean TURN_HOOKS = !"false".equalsIgnoreCase(System.getProperty("dev.greenlet.turnHooks"));

    final String hubName;               // for thread names and messages
    volatile TurnObserver observer;     // written by TurnObserver (under its class lock); read by the engine at each
                                        //   turn's start and end, makeReady, spawn and kill; null: nobody listens
    private final IntSupplier liveCount; // the hub's live greenlets (Hub.liveCount), read without its monitor
    VirtualClock virtual;               // null but on virtual time: written once by the Hub constructor, before the
                                        //   hub is published; engines read it only where a turn ends idle, where a
                                        //   ready greenlet is picked, and (carrier) once per loop (docs/ARCHITECTURE.md, section 9)

    HubEngine(String hubName, IntSupplier liveCount) {
        this.hubName = hubName;
        this.liveCount = liveCount;
    }

    // The turn observer's hooks: each call site is `if (TURN_HOOKS) observeX(...)`, so an unobserved
    // hub pays one field read and branch (docs/ARCHITECTURE.md, section "The turn observer").

    /** {@code g}'s turn starts; on the hub's turn. */
    final void observeStart(Greenlet<?> g) {
        TurnObserver o = observer;
        if (o != null) {
            o.began(g);
        }
    }

    /** {@code g}'s turn ends; on the hub's turn, before the next turn can start. */
    final void observeEnd(Greenlet<?> g, TurnListener.End how, Object blocker) {
        TurnObserver o = observer;
        if (o != null) {
            o.ended(g, how, blocker);
        }
    }

    /** {@code g} is made ready by the calling code; before it is queued. */
    final void observeReady(Greenlet<?> g) {
        TurnObserver o = observer;
        if (o != null) {
            o.madeReady(g);
        }
    }

    /**
     * The hub has no greenlet to run: the next turn's start is read from the clock, not taken
     * from the last turn's end. Called where the turn goes to nobody, before anyone can be given it.
     */
    final void observeIdle() {
        TurnObserver o = observer;
        if (o != null) {
            o.idle();
        }
    }

    /** The greenlet that holds the turn queues itself again ({@code sleep(0)}): nobody else made it ready. */
    final void observeSelfReady(Greenlet<?> g) {
        TurnObserver o = observer;
        if (o != null) {
            o.madeReady(g, null);
        }
    }

    /** {@code g} is being killed by the calling code. */
    final void observeKill(Greenlet<?> g) {
        TurnObserver o = observer;
        if (o != null) {
            o.killed(g);
        }
    }

    /** How many greenlets of the hub are alive: started and not yet dead. */
    final int liveCount() {
        return liveCount.getAsInt();
    }

    /**
     * One greenlet as its engine sees it: the engine's per-greenlet state, which only the
     * engine writes (docs/ARCHITECTURE.md, protocol P6 and section 7). Each engine creates its
     * own kind ({@link #newStrand}: the permit engine's queue links, the carrier engine's
     * virtual-thread scheduler); the greenlet holds it and only reads {@link #thread()}.
     */
    interface Strand {
        /** The greenlet's own thread, from its first turn until the engine's {@link #exit}; else null. */
        Thread thread();
    }

    /** The engine's state for a new greenlet {@code g} of this hub; called once, by its constructor. */
    abstract Strand newStrand(Greenlet<?> g);

    /**
     * Whether every JDK wait of this hub's greenlets (a socket read, {@code Thread.sleep}, a
     * {@code java.util.concurrent} lock) is a cooperative point that passes the turn. Code
     * outside the engines asks this instead of branching on the engine (docs/ARCHITECTURE.md,
     * section 4).
     */
    abstract boolean parksCooperatively();

    /**
     * Makes {@code g} ready: its first turn if it never ran, else the end of the wait it is
     * suspended in. Any thread may call it, holding any lock; it never blocks and never throws.
     */
    abstract void makeReady(Greenlet<?> g);

    /**
     * Called first thing on {@code me}'s own thread; returns when {@code me} may run. An engine
     * whose threads {@link #greenletOf} cannot map binds {@code me} to its thread here
     * ({@link Greenlet#bindToThread}).
     */
    abstract void beginTurn(Greenlet<?> me);

    /**
     * {@code me}, which runs, gives up its turn until {@code w} is resolved and {@code me} has
     * its turn again. Does not land a pending kill: {@link Hub#await} does that.
     */
    abstract void suspend(Greenlet<?> me, Waiter w);

    /** {@code me} goes behind every greenlet already ready, landing nothing: {@code sleep(0)}, {@link Waiter#yieldToWoken()}. */
    abstract void passTurn(Greenlet<?> me);

    /**
     * gevent's {@code idle()} for the running greenlet: false if no other greenlet is ready (the
     * hub is idle now); else registers {@code w}, which the engine resolves once none is, and
     * returns true: the caller then awaits {@code w} ({@link Hub#await}).
     */
    abstract boolean waitForIdle(Waiter w);

    /**
     * {@link Gevent#offload}: runs {@code job}, which throws nothing (the hub keeps what the
     * call returned or threw), without holding the hub, then lands a pending kill or timeout.
     */
    abstract void offload(Greenlet<?> me, Runnable job);

    /**
     * {@code me}'s body has ended; its thread ends after this returns. The engine forgets the
     * thread: a dead greenlet's handle may be kept (a list of results) and must not keep the
     * thread, whose continuation holds the stack (gevent frees a dead greenlet's stack too).
     */
    abstract void exit(Greenlet<?> me);

    /**
     * A kill or timeout is pending in {@code g} and {@code g} is in no wait of this library:
     * make it land where {@code g} waits now, if the engine can (by interrupting a wait that
     * is not the library's), else at its next cooperative point.
     */
    abstract void interruptForeignWait(Greenlet<?> g);

    /**
     * {@code g} was killed urgently ({@link Greenlet#killUrgently()}; {@code g.urgent} is set):
     * if it is ready now, move it ahead of every ordinary ready greenlet, behind the ones
     * expedited before it. From now on {@link #makeReady} of {@code g} queues it there too, and
     * a foreign wait's interrupt is delivered there. Any thread; never blocks.
     */
    abstract void expedite(Greenlet<?> g);

    /** Whether {@code g}, which is in no wait of this library, is parked in some other wait. */
    abstract boolean inForeignWait(Greenlet<?> g);

    /**
     * The greenlet whose own thread {@code t} is, if an engine keeps no thread-local for it
     * (the carrier engine finds it from the thread's scheduler); else null.
     */
    static Greenlet<?> greenletOf(Thread t) {
        return t.isVirtual() ? CarrierEngine.greenletOf(t) : null;
    }

    /** The greenlet running now, or null. */
    abstract Greenlet<?> running();

    /** How many turns have passed from one greenlet to another so far. */
    abstract long switchCount();

    /** Turns on measuring how long greenlets wait ready for their turn. */
    abstract void setReadyWaitTiming(boolean on);

    /** Total nanoseconds greenlets waited ready, while timing was on. */
    abstract long readyWaitNanos();

    /** Turns measured for {@link #readyWaitNanos()}. */
    abstract long readyWaitCount();

    /** Whether no greenlet of the hub runs or is ready now (for virtual time's examination). */
    abstract boolean isIdle();

    /**
     * Runs {@code batch} (a virtual clock firing the timers due at one instant) so that every
     * greenlet it makes ready is queued before any of them runs: the timers' order survives.
     */
    abstract void fireBatch(Runnable batch);

    /** The hub was closed; the engine may release its resources once no greenlet is left. */
    void close() {
    }

    /** The hub was reopened after {@link #close()}. */
    void reopen() {
    }
}
