package dev.greenlet.queue;

import dev.greenlet.Deadline;
import dev.greenlet.Waiter;
import dev.greenlet.WaitQueue;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.Objects;

/**
 * A FIFO queue for greenlets and threads, bounded or unbounded (gevent's {@code Queue}).
 *
 * <pre>{@code
 * Queue<Job> jobs = new Queue<>(100);      // put waits while 100 items are queued
 * spawn(() -> { while (true) handle(jobs.get()); });
 * jobs.put(job);
 * }</pre>
 *
 * <p>{@code put} and {@code get} are cooperative points in a greenlet and block on a plain
 * thread, so greenlets of any hub and plain threads can share a queue. Waiting getters and
 * putters are served in the order they began to wait: an item put while getters wait goes
 * straight to the first of them, and a get from a full queue lets the first waiting putter's
 * item in. A kill or {@link dev.greenlet.Timeout} of a waiting greenlet ends its wait at once,
 * and then its {@code get} took no item and its {@code put} added none; an operation that had
 * already completed returns normally and the kill lands at the next cooperative point. Items
 * are never lost or delivered twice.
 *
 * <p>Differences from gevent: {@code null} items are refused, as in {@code java.util.concurrent}
 * queues; iteration is a snapshot that consumes nothing, as for Java collections (gevent's
 * iteration consumes). {@link #peek()} waits for an item as gevent's {@code peek()} does;
 * {@link #peekNowait()} is gevent's {@code peek_nowait()}.
 *
 * <p>Implementation overview: {@code lock} guards the items and two {@link WaitQueue}s (the
 * register, await-or-withdraw, hand-over protocol every primitive shares) of waiting getters
 * and putters, each a {@link Node} holding the waiter and the item it hands over.
 * Getters wait only while there are no items, and putters only while the queue is full, so a
 * put with waiting getters hands its item to the first getter whose waiter it can still signal
 * (one that timed out or was killed refuses the signal and is skipped).
 *
 * @param <T> the type of the items
 */
public class Queue<T> implements Iterable<T> {

    /** A waiting getter or putter and the item it hands over. */
    private static final class Node<T> extends WaitQueue.Node {
        final boolean peeks;   // a peek(): woken with an item that it leaves in the queue
        T item;                // a putter's item, or the item handed to a getter before its signal

        Node(Waiter waiter, T item) {
            this(waiter, item, false);
        }

        Node(Waiter waiter, T item, boolean peeks) {
            super(waiter);
            this.item = item;
            this.peeks = peeks;
        }
    }

    final Object lock = new Object();
    private final java.util.Queue<T> items;                          // guarded by lock
    private final int maxsize;                                       // Integer.MAX_VALUE when unbounded
    private final WaitQueue<Node<T>> getters = new WaitQueue<>(lock);        // non-empty only if items is empty
    private final WaitQueue<Node<T>> putters = new WaitQueue<>(lock);        // non-empty only if full

    /** An unbounded queue. */
    public Queue() {
        this(0);
    }

    /**
     * A queue that holds at most {@code maxsize} items; 0 means unbounded (as in gevent since
     * 1.1). For a queue with no room at all, where put waits for a getter, use {@link Channel}.
     *
     * @throws IllegalArgumentException if {@code maxsize} is negative
     */
    public Queue(int maxsize) {
        this(maxsize, new ArrayDeque<>());
    }

    /** A queue over {@code items}, which decides the order ({@link PriorityQueue}, {@link LifoQueue}). */
    protected Queue(int maxsize, java.util.Queue<T> items) {
        if (maxsize < 0) {
            throw new IllegalArgumentException("queue maxsize must be >= 0 (0 for unbounded), got " + maxsize
                    + "; for a rendezvous with no room use Channel");
        }
        this.maxsize = maxsize == 0 ? Integer.MAX_VALUE : maxsize;
        this.items = items;
    }

    // ---------------------------------------------------------------- put

    /** Adds {@code item}, waiting while the queue is full. */
    public void put(T item) {
        if (!putUntil(item, Deadline.none(), true)) {
            throw new AssertionError("an untimed put cannot fail");
        }
    }

    /**
     * Adds {@code item}, waiting at most {@code timeout} while the queue is full.
     *
     * @throws Full if it is still full after {@code timeout}
     */
    public void put(T item, Duration timeout) {
        if (!putUntil(item, Deadline.of(timeout), true)) {
            throw new Full("put: " + this + " still full after " + timeout);
        }
    }

    /**
     * Adds {@code item} if there is room now.
     *
     * @throws Full if the queue is full
     */
    public void putNowait(T item) {
        if (!putUntil(item, Deadline.none(), false)) {
            throw new Full("putNowait: " + this + " is full; use put() to wait for room");
        }
    }

    /** Adds {@code item} if there is room now; says whether it did (the Java spelling of {@link #putNowait}). */
    public boolean offer(T item) {
        return putUntil(item, Deadline.none(), false);
    }

    private boolean putUntil(T item, Deadline deadline, boolean block) {
        Objects.requireNonNull(item, "queue items must not be null");
        Node<T> node;
        synchronized (lock) {
            if (handToGetterLocked(item)) {
                onPutLocked();
                return true;
            }
            if (items.size() < maxsize) {
                items.add(item);
                onPutLocked();
                return true;
            }
            if (!block || deadline.isPast()) {
                return false;
            }
            node = new Node<>(Waiter.forCurrent(this), item);
            putters.add(node);
        }
        return putters.await(node, deadline);
    }

    /** Hook for {@link JoinableQueue}: an item was accepted; called holding {@code lock}. */
    void onPutLocked() {
    }

    /**
     * Hands {@code item} to the first waiting getter that still waits; holding {@code lock}.
     * Waiting peekers before it are woken with the item on the way, which they do not take.
     */
    private boolean handToGetterLocked(T item) {
        Node<T> getter;
        while ((getter = getters.signalFirst(g -> g.item = item)) != null) {
            if (!getter.peeks) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- get

    /** Removes and returns the next item, waiting while the queue is empty. */
    public T get() {
        return getUntil(Deadline.none(), true);
    }

    /**
     * Removes and returns the next item, waiting at most {@code timeout} while the queue is empty.
     *
     * @throws Empty if it is still empty after {@code timeout}
     */
    public T get(Duration timeout) {
        T item = getUntil(Deadline.of(timeout), true);
        if (item == null) {
            throw new Empty("get: " + this + " still empty after " + timeout);
        }
        return item;
    }

    /**
     * Removes and returns the next item if there is one now.
     *
     * @throws Empty if the queue is empty
     */
    public T getNowait() {
        T item = getUntil(Deadline.none(), false);
        if (item == null) {
            throw new Empty("getNowait: " + this + " is empty; use get() to wait for an item");
        }
        return item;
    }

    /** Removes and returns the next item if there is one now, else null (the Java spelling of {@link #getNowait}). */
    public T poll() {
        return getUntil(Deadline.none(), false);
    }

    private T getUntil(Deadline deadline, boolean block) {
        Node<T> node;
        synchronized (lock) {
            T item = items.poll();
            if (item != null) {
                admitPutterLocked();
                return item;
            }
            if (!block || deadline.isPast()) {
                return null;
            }
            node = new Node<>(Waiter.forCurrent(this), null);
            getters.add(node);
        }
        return getters.await(node, deadline) ? node.item : null;
    }

    /** After a get made room: moves the first waiting putter's item in; holding {@code lock}. */
    private void admitPutterLocked() {
        Node<T> putter;
        while (items.size() < maxsize && (putter = putters.signalFirst(null)) != null) {
            items.add(putter.item);
            onPutLocked();
        }
    }

    // ---------------------------------------------------------------- inspection

    /**
     * The next item without removing it, waiting while the queue is empty (gevent's
     * {@code peek()}). A kill or {@link dev.greenlet.Timeout} ends the wait at once.
     */
    public T peek() {
        return peekUntil(Deadline.none(), true);
    }

    /**
     * The next item without removing it, waiting at most {@code timeout} while the queue is
     * empty (gevent's {@code peek(timeout=...)}).
     *
     * @throws Empty if it is still empty after {@code timeout}
     */
    public T peek(Duration timeout) {
        T item = peekUntil(Deadline.of(timeout), true);
        if (item == null) {
            throw new Empty("peek: " + this + " still empty after " + timeout);
        }
        return item;
    }

    /**
     * The next item without removing it, if there is one now (gevent's {@code peek_nowait()}).
     *
     * @throws Empty if the queue is empty
     */
    public T peekNowait() {
        T item = peekUntil(Deadline.none(), false);
        if (item == null) {
            throw new Empty("peekNowait: " + this + " is empty; use peek() to wait for an item");
        }
        return item;
    }

    private T peekUntil(Deadline deadline, boolean block) {
        Node<T> node;
        synchronized (lock) {
            T item = items.peek();
            if (item != null || !block || deadline.isPast()) {
                return item;
            }
            node = new Node<>(Waiter.forCurrent(this), null, true);
            getters.add(node);
        }
        return getters.await(node, deadline) ? node.item : null;
    }

    /** The number of items in the queue (gevent's {@code qsize()}). */
    public int size() {
        synchronized (lock) {
            return items.size();
        }
    }

    /** Whether the queue holds no items. */
    public boolean isEmpty() {
        return size() == 0;
    }

    /** Whether a put would wait now. */
    public boolean isFull() {
        synchronized (lock) {
            return items.size() >= maxsize;
        }
    }

    /** The bound, or 0 if unbounded. */
    public int maxsize() {
        return maxsize == Integer.MAX_VALUE ? 0 : maxsize;
    }

    /** Waiting getters minus waiting putters (gevent's {@code getters}/{@code putters} counts). */
    public int balance() {
        synchronized (lock) {
            return getters.size() - putters.size();
        }
    }

    /** A snapshot of the items, in the order a get would take them for a FIFO queue; consumes nothing. */
    @Override
    public Iterator<T> iterator() {
        synchronized (lock) {
            return new ArrayList<>(items).iterator();
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return getClass().getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(this)) + "[size="
                    + items.size() + (maxsize == Integer.MAX_VALUE ? "" : "/" + maxsize) + ", getters=" + getters.size()
                    + ", putters=" + putters.size() + "]";
        }
    }
}
