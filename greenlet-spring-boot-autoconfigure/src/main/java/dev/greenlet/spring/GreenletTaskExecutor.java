package dev.greenlet.spring;

import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.TaskRejectedException;

/**
 * The hubs as a Spring {@link AsyncTaskExecutor}: each task runs as a greenlet, on the next hub
 * round-robin, after the application's {@link TaskDecorator} (so MDC, tracing and security
 * context reach greenlets the way they reach any Spring executor's threads). Once the hubs shut
 * down, it rejects work with a {@link TaskRejectedException}.
 *
 * <p>The starter registers it as {@code greenletTaskExecutor}, not as a default candidate, so
 * Boot keeps its own {@code applicationTaskExecutor} unless
 * {@code greenlet.executor.application-task-executor=true}.
 */
public class GreenletTaskExecutor implements AsyncTaskExecutor {

    private final GreenletHubs hubs;
    private final TaskDecorator decorator; // null: none

    /** An executor over {@code hubs}, decorating tasks with {@code decorator} (null: none). */
    public GreenletTaskExecutor(GreenletHubs hubs, TaskDecorator decorator) {
        this.hubs = Objects.requireNonNull(hubs, "hubs");
        this.decorator = decorator;
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
        return spawn(hubs.next(), (Callable<Void>) () -> {
            task.run();
            return null;
        }).toCompletableFuture();
    }

    @Override
    public <T> CompletableFuture<T> submitCompletable(Callable<T> task) {
        return spawn(hubs.next(), task).toCompletableFuture();
    }

    /**
     * Spawns {@code task}, decorated, as a greenlet of {@code hub} and returns the greenlet: the
     * primitive under every method here and under {@code @Greenlet} methods.
     *
     * @throws TaskRejectedException if the hub no longer accepts greenlets
     */
    public <T> Greenlet<T> spawn(Hub hub, Callable<T> task) {
        Objects.requireNonNull(task, "task");
        Callable<T> body = decorate(task);
        try {
            return hub.spawn(body);
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
