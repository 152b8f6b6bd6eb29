package dev.greenlet.lock;

import dev.greenlet.Deadline;
import dev.greenlet.Waitable;
import dev.greenlet.Waiter;
import dev.greenlet.WaitQueue;
import java.time.Duration;
import java.util.List;

/**
 * A counting semaphore for greenlets and threads (gevent's {@code Semaphore}).
 *
 * <pre>{@code
 * Semaphore slots = new Semaphore(10);
 * try (var permit = slots.hold()) {   // waits cooperatively for one of 10 permits
 *     callTheBackend();
 * }
 * }</pre>
 *
 * <p>Acquiring is fair: waiters get permits in the order they began to wait, and a
 * {@link #release()} hands its permit straight to the first waiter, so a newcomer never takes
 * it first. Waits are cooperative points in a greenlet and block on a plain thread. A kill or
 * {@link dev.greenlet.Timeout} of a waiting greenlet ends its wait at once, and then it holds
 * no permit; a waiter that was handed a permit before the kill arrived returns holding it, and
 * the kill lands at its next cooperative point.
 *
 * <p>Implementation overview: {@code lock} guards the counter and two {@link WaitQueue}s (the
 * register, await-or-withdraw, hand-over protocol every primitive shares). {@code acquirers}
 * is non-empty only while the counter is 0 (a release with waiters hands its permit to the
 * first acquirer that takes the signal instead of counting it), so acquiring never needs to
 * look past the counter. Watchers ({@link #await}) and rawlinks ({@link #rawlink}, what
 * {@code Gevent.wait} uses) are all woken by a release that leaves a permit free; rawlinks
 * run after the lock is released.
 */
public class Semaphore implements Waitable {

    final Object lock = new Object();
    int counter;                                                     // guarded by lock
    private final WaitQueue<WaitQueue.Node> acquirers = new WaitQueue<>(lock); // non-empty only if counter == 0
    private final WaitQueue<WaitQueue.Node> watchers = new WaitQueue<>(lock);  // await() callers; its rawlinks fire at the next free permit

    /**
     * A semaphore with {@code value} permits.
     *
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public Semaphore(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("semaphore initial value must be >= 0, got " + value);
        }
        this.counter = value;
    }

    /** Takes a permit, waiting as long as it takes. */
    public void acquire() {
        acquireUntil(Deadline.none(), true);
    }

    /**
     * Takes a permit, waiting at most {@code timeout}; says whether it got one.
     *
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public boolean acquire(Duration timeout) {
        return acquireUntil(Deadline.of(timeout), true);
    }

    /** Takes a permit if one is free now, without waiting (gevent's {@code acquire(blocking=False)}). */
    public boolean tryAcquire() {
        return acquireUntil(Deadline.none(), false);
    }

    private boolean acquireUntil(Deadline deadline, boolean block) {
        WaitQueue.Node node;
        synchronized (lock) {
            if (counter > 0) {
                counter--;
                return true;
            }
            if (!block || deadline.isPast()) {
                return false;
            }
            node = acquirers.add(new WaitQueue.Node(Waiter.forCurrent(this)));
        }
        return acquirers.await(node, deadline); // signalled: a release handed us its permit
    }

    /** Returns a permit: to the first waiter if any, else to the counter. Any thread may call it. */
    public void release() {
        List<Runnable> linked;
        synchronized (lock) {
            checkRelease();
            if (acquirers.signalFirst(null) != null) {
                return; // the permit went to a waiter: none is free
            }
            counter++;
            watchers.signalAll();
            linked = watchers.takeRawlinks();
        }
        WaitQueue.runAll(linked);
    }

    /** Whether a permit is free now: what {@link dev.greenlet.Gevent#wait} waits for (gevent's {@code ready()}). */
    @Override
    public boolean isDone() {
        return counter() > 0;
    }

    /**
     * {@inheritDoc} For a semaphore: once a permit is free (at once if one is), without taking
     * it; the callback fires once. So {@link dev.greenlet.Gevent#wait} and {@code iwait} take
     * semaphores, as gevent's take anything with {@code rawlink}.
     */
    @Override
    public void rawlink(Runnable callback) {
        watchers.rawlink(callback, () -> counter > 0);
    }

    @Override
    public void unlink(Runnable callback) {
        watchers.unlink(callback);
    }

    /** A check before a release, holding {@code lock}; the bounded semaphore refuses to exceed its bound. */
    void checkRelease() {
    }

    /** Acquires a permit and returns it as a {@link Hold} whose {@code close()} releases it. */
    public Hold hold() {
        acquire();
        return new Hold(this::release);
    }

    /**
     * Waits at most {@code timeout} (null: no limit) until a permit is free, without taking it,
     * and says whether one is (gevent's {@code wait}).
     */
    public boolean await(Duration timeout) {
        Deadline deadline = Deadline.of(timeout);
        WaitQueue.Node node;
        synchronized (lock) {
            if (counter > 0) {
                return true;
            }
            if (deadline.isPast()) {
                return false;
            }
            node = watchers.add(new WaitQueue.Node(Waiter.forCurrent(this)));
        }
        return watchers.await(node, deadline);
    }

    /** Whether no permit is free now (gevent's {@code locked()}). */
    public boolean locked() {
        synchronized (lock) {
            return counter == 0;
        }
    }

    /** The number of free permits. */
    public int counter() {
        synchronized (lock) {
            return counter;
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return getClass().getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(this))
                    + "[counter=" + counter + ", waiters=" + acquirers.size() + "]";
        }
    }
}
