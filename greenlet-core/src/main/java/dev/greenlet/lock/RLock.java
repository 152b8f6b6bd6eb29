package dev.greenlet.lock;

import dev.greenlet.Deadline;
import dev.greenlet.Greenlet;
import dev.greenlet.Waiter;
import dev.greenlet.WaitQueue;
import java.time.Duration;

/**
 * A reentrant lock owned by a greenlet (or a plain thread), which may acquire it again
 * (gevent's {@code RLock}).
 *
 * <pre>{@code
 * try (var held = lock.hold()) { ... }   // acquire ... release
 * }</pre>
 *
 * <p>Only the owner may release it, once per acquire; anyone else gets a clear error. Waiters
 * get it in the order they began to wait: a release that frees it hands it straight to the
 * first waiter. Waits are cooperative points in a greenlet and block on a plain thread; a
 * kill or {@link dev.greenlet.Timeout} of a waiting greenlet ends its wait at once, and then it
 * does not own the lock.
 *
 * <p>Why a greenlet lock when the hub runs one greenlet at a time: code between two
 * cooperative points needs none, but a critical section that waits (a read-modify-write
 * around a network call) does.
 *
 * <p>Implementation overview: {@code lock} guards the owner, the hold count and a
 * {@link WaitQueue} of acquirers, each node naming the greenlet or thread it acquires for. The
 * last release hands the lock to the first acquirer that takes the signal, setting it as owner
 * before the signal; so the lock is never free while an acquirer waits.
 */
public class RLock {

    private final Object lock = new Object();
    private Object owner;   // guarded by lock: the owning Greenlet or Thread, or null
    private int count;      // guarded by lock: holds by the owner
    private final WaitQueue<Acquirer> waiters = new WaitQueue<>(lock);

    /** A waiting acquirer and the greenlet or thread it acquires for. */
    private static final class Acquirer extends WaitQueue.Node {
        final Object owner;

        Acquirer(Waiter waiter, Object owner) {
            super(waiter);
            this.owner = owner;
        }
    }

    private static Object me() {
        Greenlet<?> g = Greenlet.current();
        return g != null ? g : Thread.currentThread();
    }

    /** Acquires the lock, waiting as long as it takes; returns at once if the caller owns it. */
    public void acquire() {
        acquireUntil(Deadline.none(), true);
    }

    /** Acquires the lock, waiting at most {@code timeout}; says whether it did. */
    public boolean acquire(Duration timeout) {
        return acquireUntil(Deadline.of(timeout), true);
    }

    /** Acquires the lock only if it is free or already the caller's. */
    public boolean tryAcquire() {
        return acquireUntil(Deadline.none(), false);
    }

    private boolean acquireUntil(Deadline deadline, boolean block) {
        Object me = me();
        Acquirer node;
        synchronized (lock) {
            if (owner == null || owner == me) {
                owner = me;
                count++;
                return true;
            }
            if (!block || deadline.isPast()) {
                return false;
            }
            node = waiters.add(new Acquirer(Waiter.forCurrent(this), me));
        }
        return waiters.await(node, deadline); // signalled: a release handed us the lock
    }

    /**
     * Releases one hold; the last one frees the lock and hands it to the first waiter.
     *
     * @throws IllegalStateException if the caller does not own the lock
     */
    public void release() {
        Object me = me();
        synchronized (lock) {
            if (owner != me) {
                throw new IllegalStateException("cannot release " + this + ": it is "
                        + (owner == null ? "not locked" : "owned by " + owner) + ", not by " + me
                        + "; only the greenlet (or thread) that acquired it may release it");
            }
            if (--count > 0) {
                return;
            }
            // Set the owner before the signal, so the woken waiter finds the lock its own.
            if (waiters.signalFirst(next -> {
                owner = next.owner;
                count = 1;
            }) == null) {
                owner = null;
                count = 0;
            }
        }
    }

    /** Acquires the lock and returns a {@link Hold} whose {@code close()} releases it. */
    public Hold hold() {
        acquire();
        return new Hold(this::release);
    }

    /** Whether some greenlet or thread holds the lock. */
    public boolean locked() {
        synchronized (lock) {
            return owner != null;
        }
    }

    /** Whether the caller holds the lock. */
    public boolean isOwnedByCurrent() {
        Object me = me();
        synchronized (lock) {
            return owner == me;
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "RLock@" + Integer.toHexString(System.identityHashCode(this)) + "[owner=" + owner + ", count=" + count
                    + ", waiters=" + waiters.size() + "]";
        }
    }
}
