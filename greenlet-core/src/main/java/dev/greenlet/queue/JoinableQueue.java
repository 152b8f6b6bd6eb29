package dev.greenlet.queue;

import dev.greenlet.event.Event;
import java.time.Duration;

/**
 * A {@link Queue} that counts unfinished tasks (gevent's {@code JoinableQueue}): each put adds
 * one, each {@link #taskDone()} removes one, and {@link #join()} waits until none is left.
 *
 * <pre>{@code
 * JoinableQueue<Url> todo = new JoinableQueue<>();
 * for (int i = 0; i < 10; i++) spawn(() -> { while (true) { crawl(todo.get()); todo.taskDone(); } });
 * urls.forEach(todo::put);
 * todo.join();        // every url crawled
 * }</pre>
 */
public class JoinableQueue<T> extends Queue<T> {

    private int unfinished;                   // guarded by lock
    private final Event done = new Event();   // set while unfinished == 0

    /** An unbounded joinable queue. */
    public JoinableQueue() {
        this(0);
    }

    /** A joinable queue of at most {@code maxsize} items (0: unbounded). */
    public JoinableQueue(int maxsize) {
        super(maxsize);
        done.set();
    }

    @Override
    void onPutLocked() {
        if (unfinished++ == 0) {
            done.clear();
        }
    }

    /**
     * Marks one item taken earlier as processed.
     *
     * @throws IllegalStateException if called more times than items were put
     */
    public void taskDone() {
        synchronized (lock) {
            if (unfinished <= 0) {
                throw new IllegalStateException("taskDone() called more times than there were items put in " + this);
            }
            if (--unfinished == 0) {
                done.set();
            }
        }
    }

    /** The number of items put and not yet marked done. */
    public int unfinishedTasks() {
        synchronized (lock) {
            return unfinished;
        }
    }

    /** Waits until every item put has been marked done; a cooperative point. */
    public void join() {
        done.await();
    }

    /** Waits at most {@code timeout} until every item has been marked done; says whether they all were. */
    public boolean join(Duration timeout) {
        return done.await(timeout);
    }
}
