package dev.greenlet.event;

import dev.greenlet.Deadline;
import dev.greenlet.Waiter;
import java.time.Duration;

/**
 * A flag that greenlets and threads wait on until it is set (gevent's {@code Event}).
 *
 * <pre>{@code
 * Event ready = new Event();
 * spawn(() -> { ready.await(); use(); });   // waits cooperatively
 * ready.set();                              // wakes every waiter, in the order they began to wait
 * }</pre>
 *
 * <p>{@link #await()} is a cooperative point in a greenlet and blocks on a plain thread, so
 * greenlets of any hub and plain threads can share one event. A kill or {@link dev.greenlet.Timeout}
 * of a waiting greenlet ends its wait at once with that {@link dev.greenlet.GreenletExit} or
 * {@code Timeout}. Waiting on an event that is set returns at once, without switching.
 *
 * <p>Difference from gevent: gevent's {@code wait()} is {@code await()} here, because
 * {@code Object.wait()} is final in Java.
 */
public class Event extends Linkable {

    private boolean flag; // guarded by lock

    /** Sets the flag and wakes every waiter, in the order they began to wait. Any thread may call it. */
    public void set() {
        Runnable woken;
        synchronized (lock) {
            if (flag) {
                return;
            }
            flag = true;
            woken = takeAllLocked();
        }
        wake(woken);
    }

    /** Resets the flag: later waits wait again until the next {@link #set()}. */
    public void clear() {
        synchronized (lock) {
            flag = false;
        }
    }

    /** Whether the flag is set (gevent's {@code is_set()}). */
    public boolean isSet() {
        synchronized (lock) {
            return flag;
        }
    }

    /** Same as {@link #isSet()}: an event is ready while it is set. */
    @Override
    public boolean isDone() {
        return isSet();
    }

    /** Waits until the flag is set; returns at once if it is. Always returns true. */
    public boolean await() {
        return awaitReady(Deadline.none());
    }

    /**
     * Waits at most {@code timeout} until the flag is set, and says whether it was.
     *
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public boolean await(Duration timeout) {
        return awaitReady(Deadline.of(timeout));
    }

    @Override
    boolean readyLocked() {
        return flag;
    }

    @Override
    public String toString() {
        return "Event@" + Integer.toHexString(System.identityHashCode(this)) + (isSet() ? "[set]" : "[clear, "
                + waiterCount() + " waiting]");
    }
}
