package dev.greenlet.queue;

import dev.greenlet.Deadline;
import dev.greenlet.Waiter;
import dev.greenlet.WaitQueue;
import java.time.Duration;
import java.util.Objects;

/**
 * A rendezvous between greenlets (or threads) that holds no item (gevent's {@code Channel}):
 * {@link #put} waits until a getter takes the item, and {@link #get} waits until a putter
 * hands one over. Like {@link java.util.concurrent.SynchronousQueue}, it has no capacity at all:
 * not a queue of size 0 (a {@link Queue} of {@code maxsize} 0 is unbounded), so it has no
 * {@code maxsize} and no size to report.
 *
 * <pre>{@code
 * Channel<Job> handOff = new Channel<>();
 * spawn(() -> { while (true) handle(handOff.get()); });
 * handOff.put(job);     // returns once the worker has taken the job
 * }</pre>
 *
 * <p>Waiting getters and putters are served in the order they began to wait. As in gevent,
 * {@code put} to a waiting getter switches: in a greenlet, the putter hands the item over and
 * then goes behind the getter in its hub's ready queue, so it resumes only after the getter has
 * run up to its next cooperative point. A getter that takes the item of a waiting putter goes on
 * running; the putter resumes at its turn.
 *
 * <p>{@code put} and {@code get} are cooperative points in a greenlet and block on a plain
 * thread. A kill or {@link dev.greenlet.Timeout} of a waiting putter ends its wait at once and
 * then it delivered nothing; of a waiting getter, and then it took nothing. A put whose item a
 * getter already took returns normally, after its switch, and the kill lands at the putter's
 * next cooperative point; likewise for a getter already handed an item. Items are never lost or
 * delivered twice. {@link #putNowait} succeeds only while a getter waits (and does not switch),
 * and {@link #getNowait} only while a putter waits.
 *
 * <p>Differences from gevent: {@code null} items are refused; there is no iteration (gevent's
 * consumes, as a loop of {@code get}), no {@code qsize}, {@code peek} or {@code maxsize}: a
 * channel holds nothing to count or look at.
 *
 * <p>Implementation overview: {@code lock} guards two {@link WaitQueue}s (the register,
 * await-or-withdraw, hand-over protocol every primitive shares) of waiting getters and
 * putters, each a {@link Node} with the item it hands over. A put first offers its item to the
 * waiting getters, in order, writing it into the getter's node before the signal; only if none
 * takes it does it wait as a putter. A get symmetrically takes the item of the first putter that
 * takes its signal. So at most one of the two queues holds a live waiter at any time.
 *
 * @param <T> the type of the items
 */
public class Channel<T> {

    /** A waiting getter or putter and the item it hands over. */
    private static final class Node<T> extends WaitQueue.Node {
        T item; // a putter's item, or the item handed to a getter before its signal

        Node(Waiter waiter, T item) {
            super(waiter);
            this.item = item;
        }
    }

    private final Object lock = new Object();
    private final WaitQueue<Node<T>> getters = new WaitQueue<>(lock); // live waiters only if no live putter
    private final WaitQueue<Node<T>> putters = new WaitQueue<>(lock); // live waiters only if no live getter

    /** A channel. */
    public Channel() {
    }

    // ---------------------------------------------------------------- put

    /** Hands {@code item} to a getter, waiting as long as it takes for one. */
    public void put(T item) {
        putUntil(item, Deadline.none(), true);
    }

    /**
     * Hands {@code item} to a getter, waiting at most {@code timeout} for one.
     *
     * @throws Full if no getter took it within {@code timeout}; then it delivered nothing
     */
    public void put(T item, Duration timeout) {
        if (!putUntil(item, Deadline.of(timeout), true)) {
            throw new Full("put: no getter took the item from " + this + " within " + timeout);
        }
    }

    /**
     * Hands {@code item} to a getter that waits now.
     *
     * @throws Full if no getter waits
     */
    public void putNowait(T item) {
        if (!putUntil(item, Deadline.none(), false)) {
            throw new Full("putNowait: no getter waits on " + this + "; use put() to wait for one");
        }
    }

    /** Hands {@code item} to a getter that waits now; says whether one did (the Java spelling of {@link #putNowait}). */
    public boolean offer(T item) {
        return putUntil(item, Deadline.none(), false);
    }

    private boolean putUntil(T item, Deadline deadline, boolean block) {
        Objects.requireNonNull(item, "channel items must not be null");
        Node<T> node;
        synchronized (lock) {
            if (getters.signalFirst(g -> g.item = item) != null) {
                node = null;
            } else if (!block || deadline.isPast()) {
                return false;
            } else {
                node = putters.add(new Node<>(Waiter.forCurrent(this), item));
            }
        }
        if (node == null) {
            if (block) {
                Waiter.yieldToWoken(); // gevent's put switches to the getter it served
            }
            return true;
        }
        return putters.await(node, deadline);
    }

    // ---------------------------------------------------------------- get

    /** Takes an item from a putter, waiting as long as it takes for one. */
    public T get() {
        return getUntil(Deadline.none(), true);
    }

    /**
     * Takes an item from a putter, waiting at most {@code timeout} for one.
     *
     * @throws Empty if no putter came within {@code timeout}; then it took nothing
     */
    public T get(Duration timeout) {
        T item = getUntil(Deadline.of(timeout), true);
        if (item == null) {
            throw new Empty("get: no putter handed an item to " + this + " within " + timeout);
        }
        return item;
    }

    /**
     * Takes the item of a putter that waits now.
     *
     * @throws Empty if no putter waits
     */
    public T getNowait() {
        T item = getUntil(Deadline.none(), false);
        if (item == null) {
            throw new Empty("getNowait: no putter waits on " + this + "; use get() to wait for one");
        }
        return item;
    }

    /** Takes the item of a putter that waits now, else null (the Java spelling of {@link #getNowait}). */
    public T poll() {
        return getUntil(Deadline.none(), false);
    }

    private T getUntil(Deadline deadline, boolean block) {
        Node<T> node;
        synchronized (lock) {
            Node<T> putter = putters.signalFirst(null);
            if (putter != null) {
                return putter.item;
            }
            if (!block || deadline.isPast()) {
                return null;
            }
            node = getters.add(new Node<>(Waiter.forCurrent(this), null));
        }
        return getters.await(node, deadline) ? node.item : null;
    }

    // ---------------------------------------------------------------- inspection

    /** Always true: a channel holds no item (gevent's {@code empty()}). */
    public boolean isEmpty() {
        return true;
    }

    /**
     * Always true: a channel has no room, so a {@code put} waits unless a getter already waits
     * (gevent's {@code full()}).
     */
    public boolean isFull() {
        return true;
    }

    /**
     * Waiting getters minus waiting putters (gevent's {@code getters}/{@code putters} counts).
     */
    public int balance() {
        synchronized (lock) {
            return getters.size() - putters.size();
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "Channel@" + Integer.toHexString(System.identityHashCode(this)) + "[getters=" + getters.size()
                    + ", putters=" + putters.size() + "]";
        }
    }
}
