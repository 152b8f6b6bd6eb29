package dev.greenlet.queue;

import java.util.Comparator;

/**
 * A {@link Queue} that gives back the least item first, by natural order or a comparator
 * (gevent's {@code PriorityQueue}). Equal items come out in no particular order, as with
 * {@link java.util.PriorityQueue}.
 */
public class PriorityQueue<T> extends Queue<T> {

    /** An unbounded queue in the items' natural order. */
    public PriorityQueue() {
        this(0, null);
    }

    /** A queue of at most {@code maxsize} items (0: unbounded) ordered by {@code comparator} (null: natural order). */
    public PriorityQueue(int maxsize, Comparator<? super T> comparator) {
        super(maxsize, new java.util.PriorityQueue<>(comparator));
    }
}
