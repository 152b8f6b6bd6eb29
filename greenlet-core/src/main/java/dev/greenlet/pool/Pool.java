package dev.greenlet.pool;

import dev.greenlet.lock.Semaphore;
import java.time.Duration;

/**
 * A {@link Group} with at most {@code size} members (gevent's {@code Pool}): {@link #spawn}
 * waits, cooperatively, while the pool is full, so {@code imap} and {@code map} keep at most
 * {@code size} calls in flight. {@link #applyAsync} never waits: on a full pool it returns a
 * greenlet that waits for a slot, as gevent's {@code apply_async} does.
 *
 * <pre>{@code
 * Pool pool = new Pool(20);                       // at most 20 requests at once
 * for (Page p : pool.imap(this::fetch, urls)) { ... }
 * }</pre>
 *
 * <p>A greenlet of the pool that spawns into the same full pool waits for itself: like gevent,
 * that deadlocks. {@link #apply} from a member runs inline to avoid it.
 *
 * <p>Implementation overview: a {@link Semaphore} of {@code size} permits; a spawn or
 * {@link #add} takes one before the greenlet joins (waiting while the pool is full), and a
 * member's death gives it back.
 */
public class Pool extends Group {

    private final int size;
    private final Semaphore slots;

    /**
     * A pool of at most {@code size} greenlets. As in gevent, a pool of size 0 accepts none:
     * its spawns and {@link #waitAvailable} wait until their timeout, or for ever.
     *
     * @throws IllegalArgumentException if {@code size} is negative
     */
    public Pool(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("pool size must not be negative, got " + size + "; use a Group for no limit");
        }
        this.size = size;
        this.slots = new Semaphore(size);
    }

    @Override
    void beforeSpawn() {
        slots.acquire();
    }

    @Override
    void afterSpawnFailed() {
        slots.release();
    }

    @Override
    void afterDiscard() {
        slots.release();
    }

    @Override
    boolean wouldWaitForRoom() {
        return full();
    }

    /** The number of greenlets that could be added now without waiting (gevent's {@code free_count}). */
    public int freeCount() {
        return slots.counter();
    }

    /** Whether a spawn would wait now. */
    public boolean full() {
        return freeCount() == 0;
    }

    /** The pool's size. */
    public int capacity() {
        return size;
    }

    /**
     * Waits at most {@code timeout} (null: no limit) until a slot is free, and returns the
     * number of free slots (gevent's {@code wait_available}).
     */
    public int waitAvailable(Duration timeout) {
        slots.await(timeout);
        return freeCount();
    }
}
