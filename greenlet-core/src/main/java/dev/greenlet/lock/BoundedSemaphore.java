package dev.greenlet.lock;

/**
 * A {@link Semaphore} that refuses to be released more times than it was acquired (gevent's
 * {@code BoundedSemaphore}): releasing past its initial value is a bug in the caller, and
 * raises an {@link IllegalStateException} instead of silently raising the limit.
 */
public class BoundedSemaphore extends Semaphore {

    private final int bound;

    /** A bounded semaphore with {@code value} permits, which is also its bound. */
    public BoundedSemaphore(int value) {
        super(value);
        this.bound = value;
    }

    @Override
    void checkRelease() {
        if (counter >= bound) {
            throw new IllegalStateException("BoundedSemaphore released too many times: all " + bound
                    + " permits are already free; release only what you acquired");
        }
    }
}
