package dev.greenlet.event;

import dev.greenlet.Deadline;
import dev.greenlet.Greenlet;
import dev.greenlet.GreenletExit;
import dev.greenlet.Timeout;
import dev.greenlet.Waiter;
import dev.greenlet.internal.Exceptions;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * A value or an exception that will arrive once (gevent's {@code AsyncResult}): a one-shot
 * future that greenlets and plain threads wait on.
 *
 * <pre>{@code
 * AsyncResult<String> result = new AsyncResult<>();
 * spawn(() -> result.set(fetch()));
 * String v = result.get();       // waits cooperatively
 *
 * greenlet.link(result);         // as a link target: takes the greenlet's outcome
 * }</pre>
 *
 * <p>Waits ({@code get}, {@code await}) are cooperative points in a greenlet and block on a plain
 * thread; a kill or {@link Timeout} of a waiting greenlet ends its wait at once. Waiters wake in
 * the order they began to wait.
 *
 * <p>Differences from gevent: it completes once ({@link #set} and {@link #setException} return
 * false if it already had), as {@code CompletableFuture} does; linked to a greenlet killed by
 * {@link GreenletExit}, it fails with a {@link CancellationException}, as
 * {@link Greenlet#get()} does.
 *
 * @param <T> the type of the value
 */
public class AsyncResult<T> extends Linkable implements Consumer<Greenlet<? extends T>> {

    private boolean ready;    // guarded by lock
    private T value;          // guarded by lock
    private Throwable error;  // guarded by lock

    /** Completes with {@code value} and wakes the waiters; false if it was already complete. */
    public boolean set(T value) {
        return complete(value, null);
    }

    /** Completes with {@code exception} and wakes the waiters; false if it was already complete. */
    public boolean setException(Throwable exception) {
        return complete(null, Objects.requireNonNull(exception, "exception"));
    }

    private boolean complete(T v, Throwable e) {
        Runnable woken;
        synchronized (lock) {
            if (ready) {
                return false;
            }
            ready = true;
            value = v;
            error = e;
            woken = takeAllLocked();
        }
        wake(woken);
        return true;
    }

    /** As a {@link Greenlet#link} target: completes with the greenlet's outcome. */
    @Override
    public void accept(Greenlet<? extends T> g) {
        if (!g.isDead()) {
            throw new IllegalStateException(g + " is not dead: link an AsyncResult to a greenlet with greenlet.link(result)");
        }
        if (g.exception() != null) {
            setException(g.exception());
        } else if (g.isKilled()) {
            setException(new CancellationException(g + " was killed"));
        } else {
            set(g.value());
        }
    }

    /**
     * Waits until complete and returns the value, or rethrows the exception (unchecked as it
     * is; checked ones wrapped in a {@link CompletionException}).
     */
    public T get() {
        awaitReady(Deadline.none());
        return result();
    }

    /**
     * {@link #get()}, waiting at most {@code timeout}.
     *
     * @throws Timeout if it is not complete by then, as gevent's {@code get(timeout=...)} raises
     */
    public T get(Duration timeout) {
        if (!awaitReady(Deadline.of(timeout))) {
            throw Timeout.expired(timeout, "get() of " + this);
        }
        return result();
    }

    /** Waits until complete; always true. */
    public boolean await() {
        return awaitReady(Deadline.none());
    }

    /** Waits at most {@code timeout} until complete, and says whether it is (gevent's {@code wait}). */
    public boolean await(Duration timeout) {
        return awaitReady(Deadline.of(timeout));
    }

    private T result() {
        Throwable e;
        T v;
        synchronized (lock) {
            e = error;
            v = value;
        }
        if (e == null) {
            return v;
        }
        throw Exceptions.rethrow(e);
    }

    /** Whether it is complete (gevent's {@code ready()}). */
    @Override
    public boolean isDone() {
        synchronized (lock) {
            return ready;
        }
    }

    /** Whether it completed with a value. */
    public boolean isSuccessful() {
        synchronized (lock) {
            return ready && error == null;
        }
    }

    /** The value, or null if not complete or failed. */
    public T value() {
        synchronized (lock) {
            return value;
        }
    }

    /** The exception, or null if not complete or successful. */
    public Throwable exception() {
        synchronized (lock) {
            return error;
        }
    }

    @Override
    boolean readyLocked() {
        return ready;
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "AsyncResult@" + Integer.toHexString(System.identityHashCode(this))
                    + (!ready ? "[pending]" : error == null ? "[value=" + value + "]" : "[exception=" + error + "]");
        }
    }
}
