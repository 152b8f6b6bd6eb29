package dev.greenlet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.LockSupport;

/**
 * One wait of one greenlet or plain thread: a one-shot that exactly one of a waker
 * ({@link #signal}), its deadline ({@link #fire}) or a kill ({@link #interrupt}) resolves.
 *
 * <p>Implementation overview. Every blocking operation of the library creates a fresh
 * {@code Waiter}, registers it wherever the wake-up will come from (a greenlet's links, an
 * event's waiter list, the timer queue), and then calls {@link #await}. Resolution is a CAS
 * from {@code WAITING}, so a late or stale wake-up (a timer firing after a signal, a kill
 * after a timeout) is a no-op and can never wake the wrong wait. Resolving a greenlet's
 * waiter appends the greenlet to its hub's ready queue; resolving a thread's waiter unparks
 * the thread. A greenlet waits through {@link Hub#await}, which gives up the run permit;
 * a plain thread parks, as any blocking call does (DESIGN.md invariant 4).
 */
final class Waiter extends HubTimer {

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

    /** A waiter for the calling greenlet, or for the calling plain thread. */
    static Waiter forCurrent(Object blocker) {
        Greenlet<?> g = Greenlet.current();
        return g != null ? new Waiter(g, null, blocker) : new Waiter(null, Thread.currentThread(), blocker);
    }

    int state() {
        return state;
    }

    boolean isWaiting() {
        return state == WAITING;
    }

    /** Wakes the waiter normally; false if it was already resolved. Any thread may call it. */
    boolean signal() {
        return resolve(SIGNALLED);
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
     * Waits until this waiter is resolved or {@code deadline} (a {@link System#nanoTime} value;
     * {@code 0} for none) passes, and returns how it was resolved. In a greenlet this is a
     * cooperative point: a pending kill or timeout is thrown from here. On a plain thread an
     * interrupt ends the wait with a {@link CancellationException} and leaves the interrupt
     * status set.
     */
    int await(long deadline) {
        if (greenlet != null) {
            return greenlet.hub.await(greenlet, this, deadline);
        }
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
