package dev.greenlet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.LockSupport;

/**
 * One wait of one greenlet or plain thread: a one-shot that exactly one of a waker
 * ({@link #signal}), its deadline or a kill resolves (gevent's {@code hub.Waiter}, the
 * low-level tool every primitive of this library is built on; use it to build your own).
 *
 * <pre>{@code
 * Waiter w = Waiter.forCurrent(this);       // in the thread or greenlet that will wait
 * synchronized (lock) { waiters.add(w); }    // where the wake-up will come from
 * boolean signalled = w.awaitUntil(Deadline.of(timeout));
 * // elsewhere, any thread:  w.signal();    // false if it had already timed out or been killed
 * }</pre>
 *
 * <p>In a greenlet, {@link #await()} and {@link #awaitUntil} are cooperative points: a kill or
 * {@link Timeout} of the waiting greenlet ends the wait with that {@link GreenletExit} or
 * {@code Timeout}, unless the waiter was already signalled; then the wait returns normally and
 * the kill lands at the next cooperative point. So whatever the signaller handed over with its
 * signal (an item, a permit) is never lost. On a plain thread the wait blocks; an interrupt
 * ends it with a {@link CancellationException}, interrupt status kept.
 *
 * <p>Implementation overview. Every blocking operation of the library creates a fresh
 * {@code Waiter}, registers it wherever the wake-up will come from (a greenlet's links, an
 * event's waiter list, the timer queue), and then calls {@link #await}. Resolution is a CAS
 * from {@code WAITING}, so a late or stale wake-up (a timer firing after a signal, a kill
 * after a timeout) is a no-op and can never wake the wrong wait. Resolving a greenlet's
 * waiter appends the greenlet to its hub's ready queue; resolving a thread's waiter unparks
 * the thread. A greenlet waits through {@link Hub#await}, which gives up the hub's turn;
 * a plain thread parks, as any blocking call does (docs/ARCHITECTURE.md, invariant 4 and protocol P1).
 */
public final class Waiter extends TimerEntry {

    static final int WAITING = 0;
    static final int SIGNALLED = 1;
    static final int TIMED_OUT = 2;
    static final int INTERRUPTED = 3;

    private static final VarHandle STATE;
    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Waiter.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Greenlet<?> greenlet;   // the waiting greenlet, or null when a plain thread waits
    final Thread thread;          // the waiting plain thread, or null for a greenlet
    final Object blocker;         // what is waited on, for run-info dumps
    private volatile int state;   // WAITING until resolved, then never changes again

    private Waiter(Greenlet<?> greenlet, Thread thread, Object blocker) {
        this.greenlet = greenlet;
        this.thread = thread;
        this.blocker = blocker;
    }

    /**
     * A waiter for the calling greenlet, or for the calling plain thread; only that greenlet or
     * thread may await it.
     *
     * @param blocker what is waited on, shown in run-info dumps
     */
    public static Waiter forCurrent(Object blocker) {
        Greenlet<?> g = Greenlet.cooperative();
        return g != null ? new Waiter(g, null, blocker) : new Waiter(null, Thread.currentThread(), blocker);
    }

    /** A waiter for greenlet {@code g}, which will await it itself. */
    static Waiter forGreenlet(Greenlet<?> g, Object blocker) {
        return new Waiter(g, null, blocker);
    }

    int state() {
        return state;
    }

    /** Whether it is still waiting: not signalled, timed out or interrupted yet. */
    public boolean isWaiting() {
        return state == WAITING;
    }

    /**
     * Wakes the waiter; false (and nothing happens) if it was already resolved, by an earlier
     * signal, its deadline or a kill. Any thread may call it, holding any lock: it never blocks.
     */
    public boolean signal() {
        return resolve(SIGNALLED);
    }

    /** Waits until signalled; true if it was (see the class comment for kills and interrupts). */
    public boolean await() {
        return await(Deadline.none()) == SIGNALLED;
    }

    /**
     * Waits until signalled or until {@code deadline}; true if it was signalled, false if the
     * deadline passed first.
     */
    public boolean awaitUntil(Deadline deadline) {
        return await(deadline) == SIGNALLED;
    }

    /**
     * {@link #awaitUntil}, then, unless it was signalled (it timed out, or a kill or timeout is
     * being thrown), runs {@code withdraw}: the caller's way to take this waiter back out of
     * wherever it registered it. The pattern under every primitive: register, await, withdraw;
     * {@link WaitQueue} writes it once, for a FIFO of waiters guarded by one lock.
     */
    public boolean awaitOrWithdraw(Deadline deadline, Runnable withdraw) {
        boolean signalled = false;
        try {
            signalled = awaitUntil(deadline);
        } finally {
            if (!signalled) {
                withdraw.run();
            }
        }
        return signalled;
    }

    /**
     * For a primitive that has just woken a greenlet and handed it something (an item, a
     * notification): the calling greenlet goes behind every greenlet of its hub that is ready,
     * the woken one included, as gevent's primitives switch to the greenlet they wake. Unlike
     * {@code sleep(0)} it is no point where a kill or {@link Timeout} lands: the hand-over has
     * happened, and a pending kill lands at the next cooperative point. Does nothing on a plain
     * thread or inside {@link Gevent#offload}.
     */
    public static void yieldToWoken() {
        Greenlet<?> g = Greenlet.cooperative();
        if (g != null) {
            g.hub.passTurn(g);
        }
    }

    /** Wakes the waiter for a kill or a {@link Timeout}; false if it was already resolved. */
    boolean interrupt() {
        return resolve(INTERRUPTED);
    }

    /** The deadline passed (called by the timer queue). */
    @Override
    void fire() {
        resolve(TIMED_OUT);
    }

    /**
     * Resolves without scheduling anyone: for the hub, which appends the greenlet itself while
     * it holds its own lock.
     */
    boolean resolveQuietly(int to) {
        return STATE.compareAndSet(this, WAITING, to);
    }

    private boolean resolve(int to) {
        if (!STATE.compareAndSet(this, WAITING, to)) {
            return false;
        }
        if (greenlet != null) {
            greenlet.hub.schedule(greenlet);
        } else {
            LockSupport.unpark(thread);
        }
        return true;
    }

    /**
     * Waits until this waiter is resolved or {@code deadline} passes, and returns how it was
     * resolved. In a greenlet this is a
     * cooperative point: a pending kill or timeout is thrown from here unless the waiter was
     * signalled. On a plain thread an
     * interrupt ends the wait with a {@link CancellationException} and leaves the interrupt
     * status set.
     */
    int await(Deadline d) {
        if (greenlet != null) {
            return greenlet.hub.await(greenlet, this, d.nanoTimeOn(greenlet.hub.clock)); // 0 for none
        }
        TimerQueue clock = d.clock();
        if (clock != TimerQueue.INSTANCE && !d.isNone()) {
            // A deadline of a hub on virtual time (made in one of its greenlets, awaited on a
            // plain thread): it passes when that hub's clock fires this waiter, not in real time.
            clock.add(this, d.nanoTimeOn(clock));
            try {
                return await(Deadline.none());
            } finally {
                clock.cancel(this);
            }
        }
        long deadline = d.nanoTimeOn(TimerQueue.INSTANCE); // 0 for none
        while (state == WAITING) {
            if (Thread.interrupted()) {
                if (resolveQuietly(INTERRUPTED)) {
                    Thread.currentThread().interrupt();
                    throw new CancellationException("interrupted while waiting for " + blocker);
                }
                Thread.currentThread().interrupt();
                break;
            }
            if (deadline == 0) {
                LockSupport.park(blocker);
            } else {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    resolveQuietly(TIMED_OUT);
                    break;
                }
                LockSupport.parkNanos(blocker, remaining);
            }
        }
        return state;
    }
}
