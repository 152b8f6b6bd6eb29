package dev.greenlet;

import dev.greenlet.internal.Exceptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/**
 * gevent's module-level functions. With {@code import static dev.greenlet.Gevent.*} gevent code
 * reads almost line for line:
 *
 * <pre>{@code
 * run(() -> joinall(List.of(spawn(Ex1::foo), spawn(Ex1::bar))));
 * }</pre>
 *
 * <p>Functions that spawn use the calling greenlet's hub, or the {@linkplain Hub#getDefault()
 * default hub} on a plain thread. Functions that wait are cooperative points in a greenlet and
 * block on a plain thread (see {@link Hub}); in a greenlet, a kill or {@link Timeout} of the
 * caller ends any of these waits at once with that {@link GreenletExit} or {@code Timeout}.
 *
 * <p>One Java limit: every class inherits {@code Object.wait}, which hides a static import of
 * {@code wait}; write {@code Gevent.wait(...)}.
 */
public final class Gevent {

    private Gevent() {
    }

    // ---------------------------------------------------------------- entering the hub

    /**
     * Runs {@code fn} as a greenlet of the default hub and waits for its value: the way into
     * gevent's semantics from {@code main} or any plain thread. See {@link Hub#run(Callable)}.
     */
    public static <T> T run(Callable<? extends T> fn) {
        return Hub.current().run(fn);
    }

    /** {@link #run(Callable)} for code that returns nothing. */
    public static void run(Runnable fn) {
        Hub.current().run(fn);
    }

    // ---------------------------------------------------------------- spawning

    /** Spawns a greenlet that runs {@code fn} (gevent's {@code spawn}); see {@link Hub#spawn(Callable)}. */
    public static <T> Greenlet<T> spawn(Callable<? extends T> fn) {
        return Hub.current().spawn(fn);
    }

    /** Spawns a greenlet that runs {@code fn}, whose value is null. */
    public static Greenlet<Void> spawn(Runnable fn) {
        return Hub.current().spawn(fn);
    }

    /** Spawns a greenlet that starts after {@code delay} (gevent's {@code spawn_later}). */
    public static <T> Greenlet<T> spawnLater(Duration delay, Callable<? extends T> fn) {
        return Hub.current().spawnLater(delay, fn);
    }

    /** {@link #spawnLater(Duration, Callable)} for code that returns nothing. */
    public static Greenlet<Void> spawnLater(Duration delay, Runnable fn) {
        return Hub.current().spawnLater(delay, fn);
    }

    // ---------------------------------------------------------------- joining and killing

    /**
     * Waits until every greenlet is dead and returns them in the order they finished.
     * Exceptions stay on the greenlets (and were reported by their hub).
     */
    public static <G extends Greenlet<?>> List<G> joinall(Collection<? extends G> greenlets) {
        return joinall(greenlets, null, false);
    }

    /**
     * Waits at most {@code timeout} (null: no limit) until every greenlet is dead, and returns
     * those that finished, in the order they finished (gevent's {@code joinall}).
     *
     * @param raiseError whether to stop at the first greenlet that failed and rethrow its
     *                   exception (unchecked as it was; checked ones wrapped in a
     *                   {@link CompletionException})
     */
    public static <G extends Greenlet<?>> List<G> joinall(Collection<? extends G> greenlets, Duration timeout,
            boolean raiseError) {
        return joinall(greenlets, timeout, raiseError, greenlets.size());
    }

    /**
     * Waits at most {@code timeout} (null: no limit) until {@code count} of the greenlets are
     * dead, and returns those that finished, in the order they finished (gevent's
     * {@code joinall(greenlets, timeout, raise_error, count)}). With {@code raiseError} false,
     * a failed greenlet counts as finished like any other.
     *
     * @param raiseError whether to stop at the first greenlet that failed and rethrow its
     *                   exception (unchecked as it was; checked ones wrapped in a
     *                   {@link CompletionException})
     * @throws IllegalArgumentException if {@code timeout} or {@code count} is negative
     */
    public static <G extends Greenlet<?>> List<G> joinall(Collection<? extends G> greenlets, Duration timeout,
            boolean raiseError, int count) {
        List<G> done = new ArrayList<>(greenlets.size());
        try (WaitIterator<G> it = iwait(greenlets, timeout, count)) {
            while (it.hasNext()) {
                G g = it.next();
                done.add(g);
                if (raiseError && !g.isSuccessful()) {
                    throw Exceptions.rethrow(g.exception());
                }
            }
        }
        return done;
    }

    /** Kills every greenlet with {@link GreenletExit} and waits until they are all dead. */
    public static void killall(Collection<? extends Greenlet<?>> greenlets) {
        killall(greenlets, null, true, null);
    }

    /**
     * Kills every greenlet with {@code exception} (a new {@link GreenletExit} each when null)
     * and, if {@code block}, waits at most {@code timeout} (null: no limit) until they are all
     * dead (gevent's {@code killall}). See {@link Greenlet#kill(Throwable, boolean, Duration)}.
     * The calling greenlet, if listed, is skipped.
     *
     * @throws Timeout if {@code block} and greenlets are still alive after {@code timeout}, as
     *                 gevent's {@code killall} raises (a {@code Group}'s {@code kill} does not)
     */
    public static void killall(Collection<? extends Greenlet<?>> greenlets, Throwable exception, boolean block,
            Duration timeout) {
        Greenlet<?> self = Greenlet.current();
        List<Greenlet<?>> targets = new ArrayList<>(greenlets.size());
        for (Greenlet<?> g : greenlets) {
            if (g != self) {
                targets.add(g);
            }
        }
        for (Greenlet<?> g : targets) {
            g.kill(exception, false, null);
        }
        if (block && joinall(targets, timeout, false).size() < targets.size()) {
            throw Timeout.expired(timeout, "killall of " + targets.size() + " greenlets");
        }
    }

    // ---------------------------------------------------------------- waiting

    /**
     * Waits until every object is ready and returns them in the order they became ready
     * (gevent's {@code wait(objects)}).
     */
    public static <W extends Waitable> List<W> wait(Collection<? extends W> objects) {
        return wait(objects, null, objects.size());
    }

    /**
     * Waits at most {@code timeout} (null: no limit) until {@code count} of the objects are
     * ready, and returns those that are, in the order they became ready.
     */
    public static <W extends Waitable> List<W> wait(Collection<? extends W> objects, Duration timeout, int count) {
        List<W> done = new ArrayList<>();
        try (WaitIterator<W> it = iwait(objects, timeout, count)) {
            while (it.hasNext()) {
                done.add(it.next());
            }
        }
        return done;
    }

    /** Iterates over the objects as they become ready (gevent's {@code iwait}); see {@link WaitIterator}. */
    public static <W extends Waitable> WaitIterator<W> iwait(Collection<? extends W> objects) {
        return iwait(objects, null, objects.size());
    }

    /**
     * Iterates over at most {@code count} of the objects as they become ready, for at most
     * {@code timeout} (null: no limit).
     *
     * @throws IllegalArgumentException if {@code timeout} or {@code count} is negative
     */
    public static <W extends Waitable> WaitIterator<W> iwait(Collection<? extends W> objects, Duration timeout,
            int count) {
        Objects.requireNonNull(objects, "objects");
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative, got " + count);
        }
        Deadline deadline = Deadline.of(timeout);
        List<W> list = new ArrayList<>(objects.size());
        for (W o : objects) {
            list.add(Objects.requireNonNull(o, "objects must not contain null"));
        }
        return new WaitIterator<>(list, deadline, Math.min(count, list.size()));
    }

    /**
     * Waits for {@code stage} to complete and returns its value or rethrows its exception
     * (unchecked as it was; checked ones wrapped in a {@link CompletionException}). In a
     * greenlet this waits cooperatively, so a greenlet can wait on any Java future (an
     * {@code HttpClient.sendAsync}, a Spring {@code @Async} result) without stalling its hub.
     * The wait is a cooperative point; a kill or timeout of the caller ends it, and leaves
     * the future running.
     */
    public static <T> T await(CompletionStage<? extends T> stage) {
        CompletableFuture<? extends T> f = stage.toCompletableFuture();
        if (!f.isDone()) {
            Waiter w = Waiter.forCurrent(f);
            f.whenComplete((v, e) -> w.signal());
            w.await(Deadline.none());
        }
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw Exceptions.rethrow(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }

    // ---------------------------------------------------------------- sleeping

    /**
     * Gives up the turn for {@code duration} (gevent's {@code sleep}).
     * {@code sleep(Duration.ZERO)} is gevent's {@code sleep(0)}: the caller goes behind every
     * greenlet already ready and resumes after them, without waiting for any timer. On a plain
     * thread it is {@link Thread#sleep} (or {@link Thread#yield} for zero).
     *
     * @throws IllegalArgumentException if {@code duration} is negative
     */
    public static void sleep(Duration duration) {
        long nanos = Greenlet.checkDuration(duration, "sleep duration");
        Greenlet<?> g = Greenlet.cooperative();
        if (g == null) {
            sleepThread(nanos);
            return;
        }
        if (nanos == 0) {
            g.hub.yieldNow(g);
            return;
        }
        g.hub.await(g, Waiter.forCurrent(g.hub), g.hub.clock.after(nanos));
    }

    /** {@link #sleep(Duration)} in milliseconds: {@code sleep(0)} yields. */
    public static void sleep(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("sleep duration must not be negative, got " + millis
                    + " ms; use sleep(0) to yield");
        }
        sleep(Duration.ofMillis(millis));
    }

    private static void sleepThread(long nanos) {
        if (nanos == 0) {
            Thread.yield();
            return;
        }
        try {
            Thread.sleep(Duration.ofNanos(nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.util.concurrent.CancellationException("sleep interrupted");
        }
    }

    /**
     * Waits until no other greenlet of the caller's hub is ready (gevent's {@code idle()}).
     * Does nothing on a plain thread.
     */
    public static void idle() {
        Greenlet<?> g = Greenlet.cooperative();
        if (g != null) {
            g.hub.idle(g);
        }
    }

    // ---------------------------------------------------------------- offload

    /**
     * A blocking call for {@link #offload}; it may throw the checked exception {@code E}, which
     * {@code offload} passes through as it is.
     */
    @FunctionalInterface
    public interface Blocking<T, E extends Throwable> {
        /** Runs the call. */
        T call() throws E;
    }

    /**
     * Runs a blocking call without holding the hub: the calling greenlet gives up its
     * turn, runs {@code call} on its own virtual thread (where the JDK parks rather than
     * blocking a carrier) while the hub's other greenlets run, then waits for its turn again.
     * This is how to call a blocking API that is not cooperative (JDBC without the monkey
     * patch, a file read, {@code Thread.sleep}, a {@code java.util.concurrent} lock) without
     * stalling the hub; the monkey patch is built on it. On a plain thread it just calls.
     * Inside {@code call} the greenlet does not hold its hub: the library's waits there block its
     * virtual thread as on a plain thread, and a nested {@code offload} just calls.
     *
     * <p>On the carrier engine ({@code Monkey.patchAll()}) calls that park are cooperative
     * anyway; offload is for those that block without parking (file and pipe I/O, DNS, a process,
     * a native call): {@code call} runs on a virtual thread of the JDK's default scheduler, whose
     * carriers the JDK compensates for such blocking, while the greenlet waits cooperatively.
     * Inside it {@link #getCurrent()} is still the greenlet, as on the permit engine.
     *
     * <p>{@code call} runs concurrently with the hub's greenlets, so it must not touch state that
     * only the hub's greenlets guard by running one at a time. Its value is returned and its
     * exception rethrown as it is. A kill or {@link Timeout} of the caller that arrives
     * meanwhile interrupts the virtual thread (an interruptible call ends early: a socket
     * operation, for instance, closes the socket, as the JDK does for an interrupted virtual
     * thread), and lands when the call returns; the interrupt status is cleared again.
     */
    public static <T, E extends Throwable> T offload(Blocking<? extends T, E> call) throws E {
        Objects.requireNonNull(call, "call");
        Greenlet<?> g = Greenlet.cooperative();
        if (g == null) {
            return call.call();
        }
        return g.hub.offload(g, call);
    }

    // ---------------------------------------------------------------- timeouts

    /**
     * Runs {@code fn} in the calling greenlet with a {@link Timeout} that fires after
     * {@code timeout}; if it fires, the {@code Timeout} propagates (gevent's {@code with_timeout}).
     */
    public static <T> T withTimeout(Duration timeout, Callable<? extends T> fn) {
        return Timeout.withTimeout(timeout, fn, false, null);
    }

    /** {@link #withTimeout(Duration, Callable)}, returning {@code fallback} if this timeout fires. */
    public static <T> T withTimeout(Duration timeout, Callable<? extends T> fn, T fallback) {
        return Timeout.withTimeout(timeout, fn, true, fallback);
    }

    // ---------------------------------------------------------------- where am I

    /** The calling greenlet's hub, or the default hub on a plain thread (gevent's {@code get_hub()}). */
    public static Hub getHub() {
        return Hub.current();
    }

    /**
     * Whether the caller is a greenlet that holds its hub's turn, so that the library's waits
     * switch cooperatively here: false on a plain thread and inside {@link #offload}, where they
     * block. For integrations that choose between a cooperative and a blocking path.
     */
    public static boolean isCooperative() {
        return Greenlet.cooperative() != null;
    }

    /** The calling greenlet, or null on a plain thread (gevent's {@code getcurrent()}). */
    public static Greenlet<?> getCurrent() {
        return Greenlet.current();
    }
}
