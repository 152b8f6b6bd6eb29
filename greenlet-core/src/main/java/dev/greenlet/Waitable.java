package dev.greenlet;

/**
 * Something that becomes done: a {@link Greenlet} (once dead, for good), the events and
 * async results of {@code dev.greenlet.event}, and a {@code dev.greenlet.lock.Semaphore} (while
 * it has a free permit). {@link Gevent#wait} and {@link Gevent#iwait} wait on any mix of them,
 * as gevent's {@code wait} does on objects with {@code rawlink}.
 *
 * <p>Difference from gevent: gevent's {@code ready()} is {@link #isDone()} here, because
 * "ready" in this library means queued to run (the {@code READY} state of a greenlet in
 * run-info), as in the engines' ready queue; a done greenlet is a dead one.
 */
public interface Waitable {

    /** Whether it is done now (gevent's {@code ready()}). */
    boolean isDone();

    /**
     * Runs {@code callback} once it is done: at once, on the calling thread, if it already is;
     * otherwise on whichever thread makes it done, without the hub's turn. The callback must
     * be quick, must not block and must be thread-safe (gevent's {@code rawlink}).
     */
    void rawlink(Runnable callback);

    /** Removes a callback added with {@link #rawlink}, if it has not run yet. */
    void unlink(Runnable callback);
}
