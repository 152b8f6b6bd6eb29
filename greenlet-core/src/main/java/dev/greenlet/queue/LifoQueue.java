package dev.greenlet.queue;

import java.util.ArrayDeque;
import java.util.Collections;

/** A {@link Queue} that gives back the most recently added item first (gevent's {@code LifoQueue}). */
public class LifoQueue<T> extends Queue<T> {

    /** An unbounded LIFO queue. */
    public LifoQueue() {
        this(0);
    }

    /** A LIFO queue of at most {@code maxsize} items (0: unbounded). */
    public LifoQueue(int maxsize) {
        super(maxsize, Collections.asLifoQueue(new ArrayDeque<>()));
    }
}
