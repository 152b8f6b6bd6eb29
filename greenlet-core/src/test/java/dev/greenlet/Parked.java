package dev.greenlet;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits, bounded, for a greenlet or a plain thread to park in a wait, as the JSR 166 TCK's
 * {@code waitForThreadToEnterWaitState}: the tests' one way to know "it is waiting now" without
 * sleeping and hoping. On timeout it fails with what the greenlet or thread was doing instead.
 *
 * <p>Called from a greenlet, it polls with a cooperative {@code sleep} of 1 ms, so the
 * greenlet waited for gets its turns on the same hub; from a plain thread, with
 * {@code Thread.sleep}.
 */
public final class Parked {

    /** How long a greenlet or thread gets to reach its wait before the test fails. */
    public static final Duration BOUND = Duration.ofSeconds(10);

    private Parked() {
    }

    /** Waits until {@code g} waits on {@code blocker} (its {@link Greenlet#waitingOn()}). */
    public static void awaitParked(Greenlet<?> g, Object blocker) {
        Deadline deadline = Deadline.of(BOUND);
        while (g.waitingOn() != blocker) {
            if (g.isDead()) {
                throw new AssertionError(g + " died instead of waiting on " + blocker
                        + (g.exception() != null ? ", with " + g.exception() : ""), g.exception());
            }
            if (deadline.isPast()) {
                throw new AssertionError(g + " did not wait on " + blocker + " within " + BOUND + "; it waits on "
                        + g.waitingOn());
            }
            pause();
        }
    }

    /** Waits until {@code g} waits on anything. */
    public static void awaitParked(Greenlet<?> g) {
        Deadline deadline = Deadline.of(BOUND);
        while (g.waitingOn() == null) {
            if (g.isDead()) {
                throw new AssertionError(g + " died instead of waiting", g.exception());
            }
            if (deadline.isPast()) {
                throw new AssertionError(g + " did not start waiting within " + BOUND);
            }
            pause();
        }
    }

    /**
     * Waits until the plain thread {@code t} is parked on {@code blocker} ({@link LockSupport#getBlocker}),
     * as a {@link Waiter} parks a plain thread with the object it waits on.
     */
    public static void awaitParked(Thread t, Object blocker) {
        Deadline deadline = Deadline.of(BOUND);
        while (LockSupport.getBlocker(t) != blocker) {
            if (!t.isAlive()) {
                throw new AssertionError(t + " ended instead of waiting on " + blocker);
            }
            if (deadline.isPast()) {
                throw new AssertionError(t + " did not park on " + blocker + " within " + BOUND + "; it is " + t.getState()
                        + " on " + LockSupport.getBlocker(t));
            }
            pause();
        }
    }

    /**
     * Waits until {@code g}'s thread is parked or blocked in a wait the library does not see (a
     * foreign wait on the carrier engine: a future's get, a monitor), where
     * {@link Greenlet#waitingOn()} stays null.
     */
    public static void awaitThreadParked(Greenlet<?> g) {
        until(g + " parks its thread", () -> {
            Thread t = g.thread();
            if (t == null) {
                return false;
            }
            Thread.State s = t.getState();
            return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.BLOCKED;
        });
    }

    /** Waits until {@code condition} holds; fails naming {@code what} after {@link #BOUND}. */
    public static void until(String what, java.util.function.BooleanSupplier condition) {
        Deadline deadline = Deadline.of(BOUND);
        while (!condition.getAsBoolean()) {
            if (deadline.isPast()) {
                throw new AssertionError("timed out after " + BOUND + " waiting until " + what);
            }
            pause();
        }
    }

    private static void pause() {
        if (Greenlet.current() != null) {
            Gevent.sleep(Duration.ofMillis(1));
            return;
        }
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a wait to begin", e);
        }
    }
}
