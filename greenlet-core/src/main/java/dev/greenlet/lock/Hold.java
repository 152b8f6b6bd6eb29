package dev.greenlet.lock;

/**
 * A held permit of a {@link Semaphore} or hold of an {@link RLock}, from their {@code hold()}:
 * closing it releases what was acquired, once, so it fits try-with-resources:
 *
 * <pre>{@code
 * try (var held = semaphore.hold()) { ... }
 * }</pre>
 *
 * Close it in the greenlet (or thread) that acquired it: an {@code RLock} refuses a release by
 * anyone else.
 */
public final class Hold implements AutoCloseable {

    private Runnable release; // null once closed

    Hold(Runnable release) {
        this.release = release;
    }

    /** Releases what was acquired; does nothing the second time. */
    @Override
    public void close() {
        Runnable r = release;
        if (r != null) {
            release = null;
            r.run();
        }
    }
}
