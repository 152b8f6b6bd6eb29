package dev.greenlet;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The one wait queue under every primitive of the library (gevent's {@code AbstractLinkable},
 * the role of {@code AbstractQueuedSynchronizer} in {@code java.util.concurrent}): a FIFO set of
 * waiting {@link Node}s, each holding the {@link Waiter} of one greenlet or thread, plus the
 * fire-once rawlinks of a {@link Waitable}. {@code Semaphore}, {@code RLock},
 * {@code Event}, {@code AsyncResult}, {@code Queue} and {@code Channel} (their getters and
 * putters) each own one or two; {@code Pool} and {@code Group} wait through a semaphore and an
 * event. With {@link Waiter}, the tool to build a primitive of your own that greenlets and
 * threads wait on, with the same guarantees on kills and timeouts.
 *
 * <p>How it works: the primitive guards its own state and this queue with one monitor, the
 * {@code lock} given to the constructor. A wait is always the same three steps:
 * <ol>
 *   <li>holding {@code lock}: take the fast path if the state allows it (a free permit, an item,
 *       a set flag); otherwise, unless the call does not block or its deadline has passed,
 *       {@link #add} a node for {@link Waiter#forCurrent};</li>
 *   <li>not holding {@code lock}: {@link #await} it: {@link Waiter#awaitOrWithdraw} with, as the
 *       withdrawal, the node's removal under {@code lock};</li>
 *   <li>a waker, holding {@code lock}, hands over with {@link #signalFirst} (FIFO, skipping
 *       nodes whose waiter has already timed out or been killed) or takes every node with
 *       {@link #takeAll}.</li>
 * </ol>
 *
 * <p>Invariant: whatever a waker hands over (a permit, the lock, an item) goes to exactly one
 * node, the first whose {@link Waiter#signal} succeeded, and that waiter's wait returns true
 * even if a kill or timeout arrives meanwhile (it lands at the next cooperative point). A node
 * whose waiter lost to its deadline or a kill refuses the signal and is skipped; it withdraws
 * itself if no waker removed it first. So nothing handed over is ever lost, and nothing is
 * handed to a wait that has ended. The hand-over is written before the signal
 * ({@code handOver} of {@link #signalFirst}), so the woken waiter, which reads it without the
 * lock, sees it: the signal's CAS publishes it.
 *
 * @param <N> the node type: a {@link Node}, or a subclass carrying what is handed over
 */
public final class WaitQueue<N extends WaitQueue.Node> {

    /** One waiting greenlet or thread; subclass it to carry what is handed over. */
    public static class Node {
        /** The wait; resolved once, by a signal, its deadline or a kill. */
        public final Waiter waiter;

        /** A node for {@code waiter}. */
        public Node(Waiter waiter) {
            this.waiter = Objects.requireNonNull(waiter, "waiter");
        }
    }

    private final Object lock;
    private final LinkedHashSet<N> nodes = new LinkedHashSet<>(); // guarded by lock, in arrival order
    private List<Runnable> rawlinks;                               // guarded by lock, fire once

    /** A queue guarded by {@code lock}, the monitor that also guards its owner's state. */
    public WaitQueue(Object lock) {
        this.lock = Objects.requireNonNull(lock, "lock");
    }

    /** Appends {@code node}; call holding {@code lock}. Returns it. */
    public N add(N node) {
        nodes.add(node);
        return node;
    }

    /**
     * Waits, not holding {@code lock}, until {@code node}'s waiter is signalled or
     * {@code deadline} ({@link Deadline#none()} for none) passes; unless signalled, removes
     * the node (under {@code lock}). True if signalled: the waker handed something over.
     */
    public boolean await(N node, Deadline deadline) {
        return node.waiter.awaitOrWithdraw(deadline, () -> {
            synchronized (lock) {
                nodes.remove(node);
            }
        });
    }

    /**
     * Removes nodes in FIFO order until one's waiter takes the signal, calling {@code handOver}
     * (if not null) on each just before signalling it; returns that node, or null if none
     * did (the queue is then empty). Call holding {@code lock}.
     */
    public N signalFirst(Consumer<? super N> handOver) {
        while (!nodes.isEmpty()) {
            N n = nodes.removeFirst();
            if (handOver != null) {
                handOver.accept(n);
            }
            if (n.waiter.signal()) {
                return n;
            }
        }
        return null;
    }

    /** Signals every node, in FIFO order, and empties the queue; call holding {@code lock}. */
    public void signalAll() {
        while (!nodes.isEmpty()) {
            nodes.removeFirst().waiter.signal();
        }
    }

    /**
     * Removes every node, in FIFO order, for the caller to signal after releasing {@code lock};
     * call holding {@code lock}.
     */
    public List<N> takeAll() {
        if (nodes.isEmpty()) {
            return List.of();
        }
        List<N> all = new ArrayList<>(nodes);
        nodes.clear();
        return all;
    }

    /** Whether no node waits; call holding {@code lock}. */
    public boolean isEmpty() {
        return nodes.isEmpty();
    }

    /** The number of nodes waiting; call holding {@code lock}. */
    public int size() {
        return nodes.size();
    }

    // ---------------------------------------------------------------- rawlinks

    /**
     * {@link Waitable#rawlink}: keeps {@code callback} until the next
     * {@link #takeRawlinks}, unless {@code readyLocked} (evaluated holding {@code lock}) says
     * the owner is ready now; then runs it at once, on the calling thread, after releasing
     * {@code lock}. Call not holding {@code lock}.
     */
    public void rawlink(Runnable callback, BooleanSupplier readyLocked) {
        Objects.requireNonNull(callback, "callback");
        synchronized (lock) {
            if (!readyLocked.getAsBoolean()) {
                if (rawlinks == null) {
                    rawlinks = new ArrayList<>(2);
                }
                rawlinks.add(callback);
                return;
            }
        }
        callback.run();
    }

    /** {@link Waitable#unlink}: removes a kept callback. Call not holding {@code lock}. */
    public void unlink(Runnable callback) {
        synchronized (lock) {
            if (rawlinks != null) {
                rawlinks.remove(callback);
            }
        }
    }

    /**
     * Takes every kept rawlink (each fires once), for {@link #runAll} after releasing
     * {@code lock}; null if there are none. Call holding {@code lock}.
     */
    public List<Runnable> takeRawlinks() {
        List<Runnable> rs = rawlinks;
        rawlinks = null;
        return rs;
    }

    /** Runs {@code callbacks} (may be null) in order; call not holding {@code lock}. */
    public static void runAll(List<Runnable> callbacks) {
        if (callbacks != null) {
            for (Runnable r : callbacks) {
                r.run();
            }
        }
    }
}
