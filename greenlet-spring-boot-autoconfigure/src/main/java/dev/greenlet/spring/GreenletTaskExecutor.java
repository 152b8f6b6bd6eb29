package dev.greenlet.spring;

import dev.greenlet.Greenlet;
import dev.greenlet.GreenletLocal;
import dev.greenlet.Hub;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.TaskRejectedException;

/**
 * The hubs as a Spring {@link AsyncTaskExecutor}: each task runs as a greenlet, on the hub
 * {@link GreenletHubs#next()} picks (the caller's own hub inside a greenlet, else the least loaded
 * hub that is not stalled), after the application's {@link TaskDecorator} (so MDC, tracing and security
 * context reach greenlets the way they reach any Spring executor's threads). Once the hubs shut
 * down, it rejects work with a {@link TaskRejectedException}.
 *
 * <p>A task that fails makes its greenlet fail, whether or not the caller holds a future of it:
 * the failure is counted ({@code greenlet.failed}) and handed to the hub's error handler, which
 * logs it with the greenlet's name, as gevent reports every failed greenlet. With
 * {@code logFutureFailures} off, the hubs' logging handler stays quiet about greenlets whose
 * caller holds a future (the {@code submit} methods, {@code @Greenlet} methods that return a
 * future): they are still counted, and the future still fails.
 *
 * <p>The starter registers it as {@code greenletTaskExecutor}, not as a default candidate, so
 * Boot keeps its own {@code applicationTaskExecutor} unless
 * {@code greenlet.executor.application-task-executor=true}.
 */
public class GreenletTaskExecutor implements AsyncTaskExecutor {

    /** Set in a greenlet whose failure a future carries, when such failures are not logged. */
    private static final GreenletLocal<Boolean> HELD_BY_FUTURE = GreenletLocal.withInitial(() -> Boolean.FALSE);

    private final GreenletHubs hubs;
    private final TaskDecorator decorator; // null: none
    private final boolean logFutureFailures;

    /** An executor over {@code hubs}, decorating tasks with {@code decorator} (null: none), logging every failure. */
    public GreenletTaskExecutor(GreenletHubs hubs, TaskDecorator decorator) {
        this(hubs, decorator, true);
    }

    /**
     * An executor over {@code hubs}, decorating tasks with {@code decorator} (null: none).
     *
     * @param logFutureFailures whether the failure of a greenlet whose caller holds a future is
     *        logged; when false, the logging error handler {@link GreenletHubs} gives its hubs
     *        skips those failures (they are counted either way, and a hub's own handler sees them all)
     */
    public GreenletTaskExecutor(GreenletHubs hubs, TaskDecorator decorator, boolean logFutureFailures) {
        this.hubs = Objects.requireNonNull(hubs, "hubs");
        this.decorator = decorator;
        this.logFutureFailures = logFutureFailures;
    }

    /**
     * Whether the calling greenlet's failure is not to be logged: it runs a task whose caller
     * holds a future, on an executor made with {@code logFutureFailures} off. The hubs' logging
     * error handler asks, on the failed greenlet's own thread.
     */
    static boolean isFailureQuieted() {
        return HELD_BY_FUTURE.get();
    }

    /** The hubs it runs on. */
    public GreenletHubs hubs() {
        return hubs;
    }

    @Override
    public void execute(Runnable task) {
        spawn(hubs.next(), () -> {
            task.run();
            return null;
        });
    }

    @Override
    public Future<?> submit(Runnable task) {
        return submitCompletable(task);
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return submitCompletable(task);
    }

    @Override
    public CompletableFuture<Void> submitCompletable(Runnable task) {
        return submitCompletable(hubs.next(), null, () -> {
            task.run();
            return null;
        });
    }

    @Override
    public <T> CompletableFuture<T> submitCompletable(Callable<T> task) {
        return submitCompletable(hubs.next(), null, task);
    }

    /**
     * Spawns {@code task}, decorated, as a greenlet of {@code hub} named {@code name} (null: the
     * default name) and returns a future of its outcome: its value, its exception, or cancelled
     * if it was killed; cancelling the future kills the greenlet. A failure is also counted and
     * reported to the hub's error handler, as for every greenlet (see the class comment).
     *
     * @throws TaskRejectedException if the hub no longer accepts greenlets
     */
    public <T> CompletableFuture<T> submitCompletable(Hub hub, String name, Callable<T> task) {
        Objects.requireNonNull(task, "task");
        Callable<T> body = logFutureFailures ? task : () -> {
            HELD_BY_FUTURE.set(Boolean.TRUE);
            return task.call();
        };
        return spawn(hub, name, body).toCompletableFuture();
    }

    /**
     * Spawns {@code task}, decorated, as a greenlet of {@code hub} and returns the greenlet: the
     * primitive under every method here and under {@code @Greenlet} methods.
     *
     * @throws TaskRejectedException if the hub no longer accepts greenlets
     */
    public <T> Greenlet<T> spawn(Hub hub, Callable<T> task) {
        return spawn(hub, null, task);
    }

    /**
     * {@link #spawn(Hub, Callable)} with a name for the greenlet (null: the default
     * "Greenlet-&lt;id&gt;"), which logs, failure reports and the {@code greenlets} endpoint show.
     *
     * @throws TaskRejectedException if the hub no longer accepts greenlets
     */
    public <T> Greenlet<T> spawn(Hub hub, String name, Callable<T> task) {
        Objects.requireNonNull(task, "task");
        Callable<T> body = decorate(task);
        try {
            return new Greenlet<T>(hub, name, body).start();
        } catch (IllegalStateException closed) {
            throw new TaskRejectedException("greenlet executor rejected " + task + ": " + closed.getMessage(), closed);
        }
    }

    /**
     * Decorates now, on the submitting thread, as every Spring executor does: that is where a
     * decorator captures what it carries over (MDC, trace, security context).
     */
    private <T> Callable<T> decorate(Callable<T> task) {
        if (decorator == null) {
            return task;
        }
        // TaskDecorator works on Runnables: carry the result and the failure across it.
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Runnable decorated = decorator.decorate(() -> {
            try {
                result[0] = task.call();
            } catch (Throwable t) {
                failure[0] = t;
            }
        });
        return () -> {
            decorated.run();
            if (failure[0] != null) {
                throw Sneaky.<RuntimeException>rethrow(failure[0]);
            }
            @SuppressWarnings("unchecked")
            T value = (T) result[0];
            return value;
        };
    }

    /** Rethrows any throwable unchanged, so a decorated task fails exactly as the task did. */
    static final class Sneaky {
        @SuppressWarnings("unchecked")
        static <E extends Throwable> E rethrow(Throwable t) throws E {
            throw (E) t;
        }
    }
}
