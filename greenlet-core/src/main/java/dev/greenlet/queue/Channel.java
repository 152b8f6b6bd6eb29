package dev.greenlet.queue;

import dev.greenlet.Deadline;

/**
 * A queue with no room (gevent's {@code Channel}): {@code put} waits until a getter takes the
 * item, and {@code get} waits until a putter hands one over. A rendezvous between two greenlets
 * (or threads).
 *
 * <p>As in gevent, {@code put} to a waiting getter switches: in a greenlet, the putter hands
 * the item over and then goes behind the getter in its hub's ready queue, so it resumes only
 * after the getter has run up to its next cooperative point. (A getter that takes the item of
 * a waiting putter goes on running; the putter resumes at its turn.)
 *
 * <p>A kill or {@link dev.greenlet.Timeout} of a waiting putter ends its wait at once and then
 * it delivered nothing; a put whose item a getter already took returns normally, after its
 * switch, and the kill lands at the putter's next cooperative point. {@link #putNowait}
 * succeeds only while a getter waits (and does not switch), and {@link #getNowait} only while
 * a putter waits.
 */
public class Channel<T> extends Queue<T> {

    /** A channel. */
    public Channel() {
        super(0, new java.util.ArrayDeque<>()); // stays empty: items pass from putter to getter
    }

    @Override
    boolean putUntil(T item, Deadline deadline, boolean block) {
        java.util.Objects.requireNonNull(item, "channel items must not be null");
        Node<T> node;
        synchronized (lock) {
            if (!handToGetterLocked(item)) {
                if (!block || deadline.isPast()) {
                    return false;
                }
                node = new Node<>(dev.greenlet.Waiter.forCurrent(this), item);
                putters.add(node);
            } else {
                node = null;
            }
        }
        if (node == null) {
            if (block) {
                dev.greenlet.Waiter.yieldToWoken(); // gevent's put switches to the getter it served
            }
            return true;
        }
        return putters.await(node, deadline);
    }

    @Override
    T takeFromPutterLocked() {
        Node<T> putter = putters.signalFirst(null);
        return putter == null ? null : putter.item;
    }

    /** Always true: a channel has no room. */
    @Override
    public boolean isFull() {
        return true;
    }
}
