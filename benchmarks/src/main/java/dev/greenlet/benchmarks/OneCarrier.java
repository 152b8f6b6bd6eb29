package dev.greenlet.benchmarks;

import dev.greenlet.engine.Carriers;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The floor under the carrier engine's figures: a virtual-thread scheduler with one carrier
 * thread and nothing else, so that raw virtual threads run one at a time on one carrier as a
 * hub's greenlets do. What a benchmark measures on it is the JDK's own cost (mount, unmount,
 * start, the thread's end) plus the least queueing there can be: a plain FIFO for what the
 * carrier's own threads submit, a lock-free inbox for other threads, drained when the FIFO is
 * empty. No greenlet bookkeeping, no order guarantees beyond that, no kill delivery: the
 * carrier engine cannot be cheaper than this.
 *
 * <p>Built on the same JDK-internal constructor as the engine ({@link Carriers#builder}); the
 * forked JVM needs {@code --add-opens java.base/java.lang=ALL-UNNAMED}.
 */
final class OneCarrier implements Executor, AutoCloseable {

    private static final int RUNNING = 0;
    private static final int PARKED = 1;

    private final ArrayDeque<Runnable> local = new ArrayDeque<>();              // carrier thread only
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicInteger state = new AtomicInteger(RUNNING);
    private final Thread carrier;
    private volatile boolean closed;

    OneCarrier() {
        carrier = Thread.ofPlatform().daemon().name("one-carrier").start(this::loop);
    }

    /** A builder of virtual threads that run on this carrier (and whose children do too). */
    Thread.Builder.OfVirtual threads() {
        return Carriers.builder(this);
    }

    /** Runs {@code body} in a virtual thread on this carrier and waits for it. */
    void runAndJoin(Runnable body) throws InterruptedException {
        Thread t = threads().start(body);
        t.join();
    }

    @Override
    public void execute(Runnable task) {
        Thread t = Thread.currentThread();
        if (t == carrier || t.isVirtual() && Carriers.schedulerOf(t) == this) {
            local.addLast(task); // the carrier, or a virtual thread it runs (so on its OS thread)
            return;
        }
        inbox.offer(task);
        if (state.get() == PARKED && state.compareAndSet(PARKED, RUNNING)) {
            LockSupport.unpark(carrier);
        }
    }

    private void loop() {
        while (!closed) {
            Runnable r = local.pollFirst();
            if (r == null) {
                while ((r = inbox.poll()) != null) {
                    local.addLast(r);
                }
                r = local.pollFirst();
            }
            if (r != null) {
                r.run();
                continue;
            }
            state.set(PARKED);
            if (!inbox.isEmpty() || closed) {
                state.set(RUNNING);
                continue;
            }
            while (state.get() == PARKED && !closed) {
                LockSupport.park(this);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        LockSupport.unpark(carrier);
        carrier.join();
    }
}
