package dev.greenlet.event;

import dev.greenlet.Waitable;
import dev.greenlet.Waiter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * What {@link Event} and {@link AsyncResult} share (gevent's {@code AbstractLinkable}): a FIFO
 * set of waiters and rawlinks, all woken when the object becomes ready.
 *
 * <p>Implementation overview: {@code lock} guards the ready state (kept by the subclass) and
 * both lists. Becoming ready takes the lists under the lock and wakes them outside it, in the
 * order the waits began, so a greenlet waiter is appended to its hub's ready queue in that
 * order. A waiter that times out or is killed removes itself (O(1): the set is linked). A
 * signalled waiter returns normally even if a kill is pending (see {@link Waiter}).
 * {@code notifying} counts the waiters woken that have not resumed yet: a greenlet that waits
 * on the ready object meanwhile goes behind them in its hub's ready queue, as gevent queues a
 * waiter that arrives while the object notifies (gevent issue #1520).
 */
abstract class Linkable implements Waitable {

    final Object lock = new Object();
    private final LinkedHashSet<Waiter> waiters = new LinkedHashSet<>(); // guarded by lock, in arrival order
    private List<Runnable> rawlinks;                                      // guarded by lock, fire once
    private int notifying;                                                // guarded by lock: woken, not resumed yet

    /** Whether the object is ready; called holding {@code lock}. */
    abstract boolean readyLocked();

    /** Waits until ready or {@code deadline} (from {@link Waiter#deadline}); true if ready. */
    final boolean awaitReady(long deadline) {
        Waiter w;
        synchronized (lock) {
            if (readyLocked()) {
                if (notifying == 0) {
                    return true;
                }
                w = null;
            } else if (Waiter.isPast(deadline)) {
                return false;
            } else {
                w = Waiter.forCurrent(this);
                waiters.add(w);
            }
        }
        if (w == null) {
            // Ready, but waiters it woke have not run yet: go behind them, as gevent does.
            Waiter.yieldToWoken();
            return true;
        }
        boolean signalled = w.awaitOrWithdraw(deadline, () -> {
            synchronized (lock) {
                waiters.remove(w);
            }
        });
        if (signalled) {
            resumed();
        }
        return signalled;
    }

    private void resumed() {
        synchronized (lock) {
            notifying--;
        }
    }

    /** Takes every waiter and rawlink; call holding {@code lock} as the object becomes ready. */
    final Runnable takeAllLocked() {
        if (waiters.isEmpty() && rawlinks == null) {
            return null;
        }
        List<Waiter> ws = new ArrayList<>(waiters);
        waiters.clear();
        notifying += ws.size();
        List<Runnable> rs = rawlinks;
        rawlinks = null;
        return () -> {
            for (Waiter w : ws) {
                if (!w.signal()) {
                    resumed(); // it had timed out or been killed: it will not resume as woken
                }
            }
            if (rs != null) {
                for (Runnable r : rs) {
                    r.run();
                }
            }
        };
    }

    /** Runs what {@link #takeAllLocked} returned; call without holding {@code lock}. */
    static void wake(Runnable woken) {
        if (woken != null) {
            woken.run();
        }
    }

    final int waiterCount() {
        synchronized (lock) {
            return waiters.size();
        }
    }

    /**
     * {@inheritDoc} It fires once, the next time the object becomes ready (at once if it is).
     */
    @Override
    public void rawlink(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        synchronized (lock) {
            if (!readyLocked()) {
                if (rawlinks == null) {
                    rawlinks = new ArrayList<>(2);
                }
                rawlinks.add(callback);
                return;
            }
        }
        callback.run();
    }

    @Override
    public void unlink(Runnable callback) {
        synchronized (lock) {
            if (rawlinks != null) {
                rawlinks.remove(callback);
            }
        }
    }
}
