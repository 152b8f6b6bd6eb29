package dev.greenlet;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Yields {@link Waitable}s as they become ready (gevent's {@code iwait}). Returned by
 * {@link Gevent#iwait}; close it (or use it in try-with-resources) when you stop early, so it
 * unlinks itself from the objects it still watches.
 *
 * <p>Objects that are already ready come first, in the order given; the others follow in the
 * order they become ready. Iteration ends after {@code count} objects, after all of them, or
 * when the timeout passes. {@link #hasNext()} is the cooperative point: it waits, and a kill or
 * {@link Timeout} of the calling greenlet ends the wait there.
 *
 * <p>Implementation overview: a rawlink on each object appends it to a queue guarded by this
 * iterator's monitor and signals the consumer's current {@link Waiter}, if any. The consumer
 * creates a fresh waiter for each wait, so a late signal never wakes the wrong wait.
 */
public final class WaitIterator<W extends Waitable> implements Iterator<W>, AutoCloseable {

    private final List<W> objects;
    private final Runnable[] callbacks;
    private final ArrayDeque<W> readyObjects = new ArrayDeque<>(); // guarded by this
    private Waiter waiter;                                          // guarded by this: the consumer's wait
    private int remaining;                                          // how many it may still yield
    private final Deadline deadline;                                // for the whole iteration
    private boolean closed;

    WaitIterator(List<W> objects, Deadline deadline, int count) {
        this.objects = objects;
        this.deadline = deadline;
        this.remaining = count;
        this.callbacks = new Runnable[objects.size()];
        for (int i = 0; i < callbacks.length; i++) {
            W o = objects.get(i);
            Runnable cb = () -> onReady(o);
            callbacks[i] = cb;
            o.rawlink(cb);
        }
    }

    private void onReady(W o) {
        Waiter w;
        synchronized (this) {
            readyObjects.addLast(o);
            w = waiter;
        }
        if (w != null) {
            w.signal();
        }
    }

    @Override
    public boolean hasNext() {
        while (true) {
            Waiter w;
            synchronized (this) {
                if (closed || remaining <= 0) {
                    break;
                }
                if (!readyObjects.isEmpty()) {
                    return true;
                }
                if (deadline.isPast()) {
                    break;
                }
                w = Waiter.forCurrent(this);
                waiter = w;
            }
            try {
                w.await(deadline);
            } finally {
                synchronized (this) {
                    waiter = null;
                }
            }
        }
        close();
        return false;
    }

    @Override
    public W next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more ready objects (all yielded, count reached, or timed out)");
        }
        synchronized (this) {
            remaining--;
            return readyObjects.pollFirst();
        }
    }

    /** Unlinks from every object it watches. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (int i = 0; i < callbacks.length; i++) {
            objects.get(i).unlink(callbacks[i]);
        }
    }
}
