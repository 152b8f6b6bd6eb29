package dev.greenlet.pool;

import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import dev.greenlet.internal.Exceptions;
import dev.greenlet.queue.Queue;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Function;

/**
 * The results of {@link Group#imap} or {@link Group#imapUnordered}, as they become available.
 * Close it (or use it in try-with-resources) to stop early: that kills the work in flight.
 *
 * <p>{@link #hasNext()} is the cooperative point: it waits, and a kill or
 * {@link dev.greenlet.Timeout} of the consuming greenlet ends the wait at once (the work goes
 * on until the iterator is closed).
 *
 * <p>Implementation overview: a feeder greenlet reads the items lazily and spawns one member
 * of the group per item ({@link Pool#spawn} waits for room, which bounds the work in flight).
 * In order, the feeder puts each greenlet into {@code out} as it spawns it and the consumer
 * takes them in that order and waits for each; unordered, each greenlet puts itself into
 * {@code out} when it dies. The feeder ends the stream with {@code END} once everything it
 * spawned has been put.
 */
public final class MapIterator<R> implements Iterator<R>, AutoCloseable {

    /**
     * Marks the end of {@code out}. A plain object: a greenlet here (as this once was) records
     * the greenlet that created it as its spawner, so the first greenlet that ever called
     * {@code imap} would be reachable from this static field for the life of the JVM.
     */
    private static final Object END = new Object() {
        @Override
        public String toString() {
            return "end of imap";
        }
    };

    private final Group group;
    private final Queue<Object> out = new Queue<>();   // the greenlets to yield, in order, then END
    private final Greenlet<Void> feeder;
    private Greenlet<?> next;   // the next dead greenlet to yield, if hasNext() found it
    private boolean finished;

    <A> MapIterator(Group group, Function<? super A, ? extends R> fn, Iterable<? extends A> items, boolean ordered) {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(items, "items");
        this.group = group;
        this.feeder = Hub.current().spawn(() -> {
            Group spawned = new Group();
            try {
                for (A item : items) {
                    Greenlet<R> g = group.spawn(() -> fn.apply(item));
                    spawned.add(g);
                    if (ordered) {
                        out.put(g);
                    } else {
                        g.rawlink(() -> out.put(g));
                    }
                }
                if (!ordered) {
                    spawned.join();
                }
            } finally {
                out.put(END);
            }
        });
        feeder.setName("imap feeder of " + group);
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (finished) {
            return false;
        }
        Object o = out.get();
        if (o == END) {
            finished = true;
            Throwable feederFailure = feeder.join(java.time.Duration.ofSeconds(10)) ? feeder.exception() : null;
            if (feederFailure != null) {
                // Reading the items or spawning failed: that is the iteration's failure too.
                throw Exceptions.rethrow(feederFailure);
            }
            return false;
        }
        Greenlet<?> g = (Greenlet<?>) o;
        g.join();
        next = g;
        return true;
    }

    /**
     * The next result.
     *
     * @throws NoSuchElementException if there are no more
     * @throws RuntimeException the failure of the greenlet that computed it (unchecked as it was,
     *         checked wrapped in a {@link java.util.concurrent.CompletionException}); as in
     *         gevent, the iteration can go on past it to the other items' results
     */
    @Override
    @SuppressWarnings("unchecked")
    public R next() {
        if (!hasNext()) {
            throw new NoSuchElementException("imap has no more results");
        }
        Greenlet<?> g = next;
        next = null;
        if (g.exception() != null) {
            throw Exceptions.rethrow(g.exception());
        }
        return (R) g.value();
    }

    /** Stops the feeder and kills the work it spawned that is still running. */
    @Override
    public void close() {
        finished = true;
        next = null;
        feeder.kill();
        Object o;
        while ((o = out.poll()) != null) {
            if (o instanceof Greenlet<?> g) {
                g.kill(false, null);
            }
        }
    }

    @Override
    public String toString() {
        return "imap over " + group;
    }
}
