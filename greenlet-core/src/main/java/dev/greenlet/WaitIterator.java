package dev.greenlet;

import java.util.ArrayDeque;
import java.util.ArrayList;
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
 * <p>Implementation overview: a rawlink on each object (a {@code Watch}) appends it to a queue
 * guarded by this iterator's monitor, marks itself fired, and signals the consumer's current
 * {@link Waiter}, if any. The consumer creates a fresh waiter for each wait, so a late signal
 * never wakes the wrong wait. {@link #close()} unlinks only the watches that have not fired: a
 * rawlink runs once ({@link Waitable#rawlink}), so a fired one is no longer kept (a joinall of
 * many greenlets saves a lock per greenlet).
 */
public final class WaitIterator<W extends Waitable> implements Iterator<W>, AutoCloseable {

    private final Watch<W>[] watches;
    private final ArrayDeque<W> readyObjects = new ArrayDeque<>(); // guarded by this
    private Waiter waiter;                                          // guarded by this: the consumer's wait
    private int remaining;                                          // how many it may still yield
    private final Deadline deadline;                                // for the whole iteration
    private boolean closed;                                         // guarded by this

    /** The rawlink on one object: what it tells the iterator when the object is done. */
    private static final class Watch<W extends Waitable> implements Runnable {
        final WaitIterator<W> iterator;
        final W object;
        boolean fired; // guarded by the iterator's monitor

        Watch(WaitIterator<W> iterator, W object) {
            this.iterator = iterator;
            this.object = object;
        }

        @Override
        public void run() {
            iterator.onReady(this);
        }
    }

    @SuppressWarnings("unchecked")
    WaitIterator(List<W> objects, Deadline deadline, int count) {
        this.deadline = deadline;
        this.remaining = count;
        this.watches = (Watch<W>[]) new Watch<?>[objects.size()];
        for (int i = 0; i < watches.length; i++) {
            Watch<W> watch = new Watch<>(this, objects.get(i));
            watches[i] = watch;
            watch.object.rawlink(watch);
        }
    }

    private void onReady(Watch<W> watch) {
        Waiter w;
        synchronized (this) {
            watch.fired = true;
            readyObjects.addLast(watch.object);
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
        synchronized (this) {
            if (!closed && remaining > 0 && !readyObjects.isEmpty()) {
                remaining--; // one ready already (what hasNext() said): no second lock through it
                return readyObjects.pollFirst();
            }
        }
        if (!hasNext()) {
            throw new NoSuchElementException("no more ready objects (all yielded, count reached, or timed out)");
        }
        synchronized (this) {
            remaining--;
            return readyObjects.pollFirst();
        }
    }

    /** Unlinks from every object it watches whose rawlink has not run. Idempotent. */
    @Override
    public void close() {
        List<Watch<W>> unfired = null;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            for (Watch<W> watch : watches) {
                if (!watch.fired) {
                    if (unfired == null) {
                        unfired = new ArrayList<>();
                    }
                    unfired.add(watch);
                }
            }
        }
        if (unfired != null) {
            for (Watch<W> watch : unfired) {
                watch.object.unlink(watch); // (one that fires meanwhile is no longer kept: a no-op)
            }
        }
    }
}
