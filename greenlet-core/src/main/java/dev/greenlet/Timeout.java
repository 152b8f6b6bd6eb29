package dev.greenlet;

import dev.greenlet.internal.Callables;
import dev.greenlet.internal.Exceptions;
import java.time.Duration;
import java.util.Objects;

/**
 * A deadline for the greenlet that starts it (gevent's {@code Timeout}):
 *
 * <pre>{@code
 * try (var timeout = Timeout.start(Duration.ofMillis(200))) {
 *     slowCall();           // cooperative waits in here end with the Timeout after 200 ms
 *                           // (on the carrier engine a JDK wait, a socket read say, ends with
 *                           // the library's own exception; withTimeout(...) turns it into the Timeout)
 * } catch (Timeout t) {
 *     if (t != timeout) throw t;   // someone else's timeout: not ours to handle
 *     ...
 * }
 * }</pre>
 *
 * <p><b>When it fires.</b> Once the time has passed, the timeout is raised in its greenlet at
 * the greenlet's next cooperative point, or at once if the greenlet is waiting in one. A
 * greenlet that never reaches a cooperative point is never interrupted (gevent behaves the
 * same: its timer cannot fire while a greenlet holds the CPU), and closing the timeout before
 * the greenlet reaches a cooperative point withdraws it. A timeout never displaces a pending
 * kill, and an inner timeout that fires after an outer one does not displace it.
 *
 * <p><b>What it raises.</b> As in gevent, the {@code Timeout} is itself the throwable it
 * raises, unless an exception was given to raise instead. It is an {@link Error}, like
 * {@link GreenletExit}, so that {@code catch (Exception e)} does not swallow it; its stack
 * trace shows where it landed.
 *
 * <p><b>Differences from gevent.</b> It works only in a greenlet: a plain thread uses the
 * timed variant of a call ({@code join(Duration)}, {@code get(Duration)}) or enters a greenlet
 * with {@link Gevent#run}. It must be closed by the greenlet that started it.
 */
public class Timeout extends Error implements AutoCloseable {

    private static final long serialVersionUID = 1L;

    private final transient Duration timeout;         // null: never fires
    private final transient Throwable exception;      // null: raise this Timeout itself
    private transient volatile Greenlet<?> greenlet;  // written under this: the greenlet it was started in, until closed
    private transient volatile boolean pending;       // written under this: started, neither fired nor closed
    private final transient TimerEntry timer = new TimerEntry() {
        @Override
        void fire() {
            // Under the timeout's lock, so that a close() that comes too late to cancel the
            // timer waits for this raise and then withdraws it: a closed timeout never lands.
            synchronized (Timeout.this) {
                Greenlet<?> g = greenlet;
                if (g != null && pending) {
                    pending = false; // fired: no longer pending, and may be started again (gevent)
                    g.raise(toRaise(), false);
                }
            }
        }
    };

    /** A timeout that fires {@code timeout} after it starts (null: one that never fires) and raises itself; not started yet. */
    public Timeout(Duration timeout) {
        this(timeout, null);
    }

    /** A timeout that fires {@code timeout} after it starts and raises {@code exception} instead of itself; not started yet. */
    public Timeout(Duration timeout, Throwable exception) {
        this(timeout, exception, null);
    }

    private Timeout(Duration timeout, Throwable exception, String what) {
        super(message(timeout, what));
        if (timeout != null) {
            Greenlet.checkDuration(timeout, "Timeout duration");
        }
        this.timeout = timeout;
        this.exception = exception;
    }

    /**
     * A timeout that has already expired, never started: what a timed operation throws when its
     * time runs out, as gevent's {@code get(timeout=...)} raises {@code Timeout}.
     *
     * @param what the operation, for the message ("get() of ...")
     */
    public static Timeout expired(Duration timeout, String what) {
        return new Timeout(timeout, null, what);
    }

    private static String message(Duration timeout, String what) {
        String after = timeout == null ? "timeout" : "timeout after " + format(timeout);
        return what == null ? after : what + ": " + after;
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return d.toNanos() % 1_000_000 == 0 ? ms + " ms" : d.toNanos() / 1000.0 / 1000.0 + " ms";
        }
        return ms / 1000.0 + " s";
    }

    /** Creates a timeout that fires after {@code timeout} in the calling greenlet, and starts it. */
    public static Timeout start(Duration timeout) {
        return new Timeout(timeout).start();
    }

    /** Creates a timeout that fires after {@code timeout} and raises {@code exception}, and starts it. */
    public static Timeout start(Duration timeout, Throwable exception) {
        return new Timeout(timeout, exception).start();
    }

    /**
     * Starts the clock, in the calling greenlet. A timeout that was closed, or that fired, may
     * be started again (as in gevent); starting one that fired but was not closed moves it to
     * the calling greenlet and withdraws its raise if that has not landed yet.
     *
     * @throws IllegalStateException if it is pending, or the caller is no greenlet
     */
    public Timeout start() {
        Greenlet<?> g = Greenlet.current();
        if (g == null) {
            throw new IllegalStateException("Timeout.start() needs a greenlet; on the plain thread "
                    + Thread.currentThread().getName() + " use a timed call such as join(Duration) or get(Duration),"
                    + " or run the code in a greenlet with Gevent.run(...)");
        }
        synchronized (this) {
            if (pending) {
                throw new IllegalStateException(this + " is already pending in " + greenlet
                        + "; close it before starting it again");
            }
            Greenlet<?> previous = greenlet;
            if (previous != null) {
                previous.killDelivery().withdraw(toRaise()); // it fired there and was never closed
            }
            greenlet = g;
            pending = true;
            if (timeout != null) {
                TimerQueue clock = g.hub.clock; // the greenlet's hub's: close() cancels it there
                clock.add(timer, clock.after(Deadline.toNanos(timeout)));
            }
        }
        return this;
    }

    /**
     * Whether it was started and has neither fired nor been closed (gevent's {@code pending}).
     * A timeout made with a null duration is pending from its start until it is closed.
     */
    public boolean isPending() {
        return pending;
    }

    /** How long after its start it fires; null if it never fires (gevent's {@code seconds}). */
    public Duration timeout() {
        return timeout;
    }

    /** What it raises when it fires: the given exception, or this timeout. */
    public Throwable exceptionToRaise() {
        return toRaise();
    }

    private Throwable toRaise() {
        return exception != null ? exception : this;
    }

    /** Same as {@link #close()} (gevent's {@code cancel()}). */
    public void cancel() {
        close();
    }

    /**
     * Stops the clock; if it fired but has not landed yet, it is withdrawn. Does nothing if it
     * is not pending.
     *
     * @throws IllegalStateException if called from another greenlet or thread than the one
     *                               that started it
     */
    @Override
    public void close() {
        Greenlet<?> g = greenlet;
        if (g == null) {
            return;
        }
        Greenlet<?> caller = Greenlet.current();
        if (caller != g) {
            throw new IllegalStateException(this + " was started in " + g + " and cannot be closed from "
                    + (caller != null ? caller : "thread " + Thread.currentThread().getName())
                    + "; close it in the greenlet that started it (kill that greenlet to stop it from elsewhere)");
        }
        synchronized (this) {
            g.hub.clock.cancel(timer);
            g.killDelivery().withdraw(toRaise());
            greenlet = null;
            pending = false;
        }
    }

    static <T> T withTimeout(Duration timeout, java.util.concurrent.Callable<? extends T> fn, boolean hasFallback, T fallback) {
        Objects.requireNonNull(fn, "fn");
        Timeout t = start(timeout);
        Greenlet<?> g = t.greenlet;
        try {
            return Callables.call(fn);
        } catch (Timeout e) {
            if (e != t || !hasFallback) {
                throw e;
            }
            return fallback;
        } catch (RuntimeException | Error other) {
            // On the carrier engine a timeout reaches a foreign wait (Thread.sleep, a socket
            // read, a JDBC call) by interrupting it, and the library turns the interrupt into an
            // exception of its own. If this timeout is still pending, that is what happened:
            // the block ends with the timeout, the library's exception suppressed in it.
            Throwable raised = t.toRaise();
            if (g != null && g.killDelivery().withdrawDeliveredByInterrupt(raised)) {
                raised.addSuppressed(other);
                if (raised == t && hasFallback) {
                    return fallback;
                }
                throw Exceptions.sneakyThrow(raised);
            }
            throw other;
        } finally {
            t.close();
        }
    }
}
