package dev.greenlet;

/**
 * Something that becomes ready: a {@link Greenlet} (once dead, for good), the events and
 * async results of {@code dev.greenlet.event}, and a {@code dev.greenlet.lock.Semaphore} (while
 * it has a free permit). {@link Gevent#wait} and {@link Gevent#iwait} wait on any mix of them,
 * as gevent's {@code wait} does on objects with {@code rawlink}.
 */
public interface Waitable {

    /** Whether it is ready now. */
    boolean isReady();

    /**
     * Runs {@code callback} once it is ready: at once, on the calling thread, if it already is;
     * otherwise on whichever thread makes it ready, without the hub's permit. The callback must
     * be quick, must not block and must be thread-safe (gevent's {@code rawlink}).
     */
    void rawlink(Runnable callback);

    /** Removes a callback added with {@link #rawlink}, if it has not run yet. */
    void unlink(Runnable callback);
}
