package dev.greenlet.event;

import dev.greenlet.Deadline;
import dev.greenlet.Waitable;
import dev.greenlet.Waiter;
import dev.greenlet.WaitQueue;
import java.util.List;

/**
 * What {@link Event} and {@link AsyncResult} share (gevent's {@code AbstractLinkable}): a FIFO
 * set of waiters and rawlinks, all woken when the object becomes ready.
 *
 * <p>Implementation overview: {@code lock} guards the ready state (kept by the subclass) and a
 * {@link WaitQueue} of waiters and rawlinks (the register, await-or-withdraw protocol every
 * primitive shares). Becoming ready takes both under the lock and wakes them outside it, in
 * the order the waits began, so a greenlet waiter is appended to its hub's ready queue in that
 * order. A waiter that times out or is killed withdraws itself. A signalled waiter returns
 * normally even if a kill is pending (see {@link Waiter}).
 * {@code notifying} counts the waiters woken that have not resumed yet: a greenlet that waits
 * on the ready object meanwhile goes behind them in its hub's ready queue, as gevent queues a
 * waiter that arrives while the object notifies (gevent issue #1520).
 */
abstract class Linkable implements Waitable {

    final Object lock = new Object();
    private final WaitQueue<WaitQueue.Node> waiters = new WaitQueue<>(lock);
    private int notifying;                                                // guarded by lock: woken, not resumed yet

    /** Whether the object is ready; called holding {@code lock}. */
    abstract boolean readyLocked();

    /** Waits until ready or {@code deadline} (a {@link dev.greenlet.Deadline}); true if ready. */
    final boolean awaitReady(Deadline deadline) {
        WaitQueue.Node node;
        synchronized (lock) {
            if (readyLocked()) {
                if (notifying == 0) {
                    return true;
                }
                node = null;
            } else if (deadline.isPast()) {
                return false;
            } else {
                node = waiters.add(new WaitQueue.Node(Waiter.forCurrent(this)));
            }
        }
        if (node == null) {
            // Ready, but waiters it woke have not run yet: go behind them, as gevent does.
            Waiter.yieldToWoken();
            return true;
        }
        boolean signalled = waiters.await(node, deadline);
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
        List<WaitQueue.Node> ws = waiters.takeAll();
        List<Runnable> rs = waiters.takeRawlinks();
        if (ws.isEmpty() && rs == null) {
            return null;
        }
        notifying += ws.size();
        return () -> {
            for (WaitQueue.Node n : ws) {
                if (!n.waiter.signal()) {
                    resumed(); // it had timed out or been killed: it will not resume as woken
                }
            }
            WaitQueue.runAll(rs);
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
        waiters.rawlink(callback, this::readyLocked);
    }

    @Override
    public void unlink(Runnable callback) {
        waiters.unlink(callback);
    }
}
