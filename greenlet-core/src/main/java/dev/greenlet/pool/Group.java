package dev.greenlet.pool;

import dev.greenlet.Deadline;
import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.GreenletExit;
import dev.greenlet.Hub;
import dev.greenlet.Waiter;
import dev.greenlet.event.Event;
import dev.greenlet.internal.Callables;
import dev.greenlet.internal.Exceptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * A set of greenlets to spawn, map over, join and kill together (gevent's {@code Group}). A
 * greenlet leaves the group when it dies.
 *
 * <pre>{@code
 * Group group = new Group();
 * for (String url : urls) group.spawn(() -> fetch(url));
 * group.join();
 *
 * List<Page> pages = group.map(this::fetch, urls);   // results in input order
 * }</pre>
 *
 * <p><b>Fail-fast groups</b> (beyond gevent, which its users ask for in gevent issues #1697 and
 * #2105, like Trio's nurseries): a group made with {@link #failFast()} kills its other members as
 * soon as one fails, refuses new spawns, and rethrows that first failure from {@link #join()}.
 * A {@link GreenletExit} is not a failure.
 *
 * <p>Waits ({@code join}, {@code map}, iterating {@code imap}) are cooperative points in a
 * greenlet and block on a plain thread; a kill or {@link dev.greenlet.Timeout} of the waiting
 * greenlet ends them at once. Greenlets are spawned on the calling greenlet's hub, or the
 * default hub from a plain thread.
 *
 * <p>Implementation overview: {@code lock} guards the member set, the set of members already
 * being killed ({@code dying}, a subset of the members, as gevent's {@code Group.dying}), the
 * first failure and the {@code empty} event (set exactly while the set is empty). A rawlink on
 * each member removes it (from both sets) when it dies, on whatever thread completes it; it is
 * the only link the group ever adds to a member. A kill goes to members not yet dying only, so
 * a member that survives its {@code GreenletExit} is shot once, as in gevent.
 */
public class Group implements Iterable<Greenlet<?>> {

    final Object lock = new Object();
    private final LinkedHashSet<Greenlet<?>> members = new LinkedHashSet<>(); // guarded by lock
    private final Set<Greenlet<?>> dying = new HashSet<>();                   // guarded by lock; members killed by the group
    private final Event empty = new Event();                                   // set exactly while members is empty
    private final boolean failFast;
    private Throwable firstFailure;                                            // guarded by lock

    /** An ordinary group, as gevent's. */
    public Group() {
        this(false);
    }

    Group(boolean failFast) {
        this.failFast = failFast;
        empty.set();
    }

    /**
     * A fail-fast group: when a member fails, the others are killed at once, new spawns are
     * refused, and {@link #join()} rethrows the failure.
     */
    public static Group failFast() {
        return new Group(true);
    }

    // ---------------------------------------------------------------- membership

    /** Spawns a greenlet running {@code fn} and adds it to the group. */
    public <T> Greenlet<T> spawn(Callable<? extends T> fn) {
        Objects.requireNonNull(fn, "fn");
        beforeSpawn();
        Greenlet<T> g;
        try {
            checkNotFailed();
            g = new Greenlet<>(Hub.current(), null, fn);
            addMember(g);
        } catch (RuntimeException | Error e) {
            afterSpawnFailed();
            throw e;
        }
        g.start();
        return g;
    }

    /** Spawns a greenlet running {@code fn} (value null) and adds it to the group. */
    public Greenlet<Void> spawn(Runnable fn) {
        return spawn(Callables.of(fn));
    }

    /** Called before a spawn or add takes its slot; {@link Pool} waits here for room. */
    void beforeSpawn() {
    }

    /** Called if a spawn failed after {@link #beforeSpawn()}; {@link Pool} gives the slot back. */
    void afterSpawnFailed() {
    }

    /** Called once a member has left the group; {@link Pool} frees its slot. */
    void afterDiscard() {
    }

    private void checkNotFailed() {
        synchronized (lock) {
            if (firstFailure != null) {
                throw new IllegalStateException("fail-fast group already failed; it accepts no new greenlets",
                        firstFailure);
            }
        }
    }

    /**
     * Adds a greenlet (started or not) to the group; it leaves when it dies, so a dead one
     * leaves at once. Adding a member again does nothing. A {@link Pool} waits for room first.
     */
    public void add(Greenlet<?> g) {
        Objects.requireNonNull(g, "greenlet");
        if (contains(g)) {
            return;
        }
        beforeSpawn();
        if (!addMember(g)) {
            afterSpawnFailed();
        }
    }

    /** Adds {@code g} without waiting for room; false if it already was a member. */
    private boolean addMember(Greenlet<?> g) {
        synchronized (lock) {
            if (!members.add(g)) {
                return false;
            }
            empty.clear();
        }
        g.rawlink(() -> onDeath(g));
        return true;
    }

    private void onDeath(Greenlet<?> g) {
        List<Greenlet<?>> toKill = null;
        Throwable failure = g.exception();
        synchronized (lock) {
            if (failFast && failure != null && firstFailure == null) {
                firstFailure = failure;
                toKill = new ArrayList<>(members);
                toKill.remove(g);
            }
        }
        discard(g);
        if (toKill != null) {
            for (Greenlet<?> other : toKill) {
                other.kill(false, null);
            }
        }
    }

    /** Removes a greenlet from the group without killing it (gevent's {@code discard}). */
    public void discard(Greenlet<?> g) {
        boolean removed;
        synchronized (lock) {
            removed = members.remove(g);
            dying.remove(g);
            if (removed && members.isEmpty()) {
                empty.set();
            }
        }
        if (removed) {
            afterDiscard();
        }
    }

    /** Whether {@code g} is a member. */
    public boolean contains(Greenlet<?> g) {
        synchronized (lock) {
            return members.contains(g);
        }
    }

    /** The number of members. */
    public int size() {
        synchronized (lock) {
            return members.size();
        }
    }

    /** A snapshot of the members, oldest first. */
    public List<Greenlet<?>> greenlets() {
        synchronized (lock) {
            return new ArrayList<>(members);
        }
    }

    @Override
    public Iterator<Greenlet<?>> iterator() {
        return greenlets().iterator();
    }

    // ---------------------------------------------------------------- joining and killing

    /**
     * Waits until every member is dead (including greenlets added while it waits). A fail-fast
     * group then rethrows its first failure.
     */
    public void join() {
        join(null, failFast);
    }

    /**
     * Waits at most {@code timeout} (null: no limit) until the group is empty, and says whether
     * it is. If {@code raiseError}, then rethrows the failure of the first (oldest) greenlet that
     * was a member when the wait began and has failed (unchecked as it was; checked ones wrapped
     * in a {@link CompletionException}), as gevent's {@code join(raise_error=True)} does; a
     * fail-fast group rethrows its first failure.
     */
    public boolean join(Duration timeout, boolean raiseError) {
        List<Greenlet<?>> joined = raiseError ? greenlets() : List.of();
        if (timeout == null) {
            empty.await();
        } else {
            empty.await(timeout);
        }
        if (raiseError) {
            Throwable failure;
            synchronized (lock) {
                failure = failFast ? firstFailure : null;
            }
            for (Greenlet<?> g : joined) {
                if (failure == null) {
                    failure = g.exception();
                }
            }
            if (failure != null) {
                throw Exceptions.rethrow(failure);
            }
        }
        return empty.isSet();
    }

    /** Kills every member with {@link GreenletExit} and waits until they are dead (gevent's {@code kill}). */
    public void kill() {
        kill(null, true, null);
    }

    /**
     * Kills every member not already being killed by this group with {@code exception} (null: a
     * {@link GreenletExit}) and, if {@code block}, waits at most {@code timeout} (null: no limit)
     * until the group is empty, killing members added meanwhile too (gevent's {@code kill}).
     * Unlike {@link Gevent#killall}, it returns normally when the timeout passes with members
     * still alive, as gevent's {@code Group.kill} does. A member already being killed by this
     * group (by {@code kill} or {@link #killone}) is not killed again: one that survives its
     * {@code GreenletExit} is shot once. The calling greenlet, if a member, is not killed.
     */
    public void kill(Throwable exception, boolean block, Duration timeout) {
        Deadline deadline = Deadline.of(timeout);
        Greenlet<?> self = Greenlet.current();
        while (true) {
            List<Greenlet<?>> toKill = new ArrayList<>();
            synchronized (lock) {
                for (Greenlet<?> g : members) {
                    if (g != self && dying.add(g)) {
                        toKill.add(g);
                    }
                }
            }
            for (Greenlet<?> g : toKill) {
                g.kill(exception, false, null);
            }
            if (!block || isEmptyButFor(self)) {
                return;
            }
            List<Greenlet<?>> alive = greenlets();
            alive.remove(self);
            Duration left = deadline.remaining();
            if (Gevent.wait(alive, left, alive.size()).size() < alive.size()) {
                return; // the timeout passed
            }
        }
    }

    private boolean isEmptyButFor(Greenlet<?> self) {
        synchronized (lock) {
            return members.isEmpty() || (members.size() == 1 && members.contains(self));
        }
    }

    /** Kills one member and waits for its death (gevent's {@code killone}); see {@link #killone(Greenlet, Throwable, boolean, Duration)}. */
    public void killone(Greenlet<?> g) {
        killone(g, null, true, null);
    }

    /**
     * Kills one member with {@code exception} (null: GreenletExit) and, if {@code block}, waits
     * at most {@code timeout} (null: no limit) for its death. Does nothing, and does not wait,
     * if {@code g} is not a member or is already being killed by this group (as gevent).
     */
    public void killone(Greenlet<?> g, Throwable exception, boolean block, Duration timeout) {
        synchronized (lock) {
            if (!members.contains(g) || !dying.add(g)) {
                return;
            }
        }
        g.kill(exception, false, null);
        if (block) {
            if (timeout == null) {
                g.join();
            } else {
                g.join(timeout);
            }
        }
    }

    // ---------------------------------------------------------------- apply and map

    /**
     * Runs {@code fn} in a member greenlet and returns its result (gevent's {@code apply}).
     * Called from a member of this group, it simply calls {@code fn}, so that a pool's member
     * never waits for a slot it holds itself.
     */
    public <T> T apply(Callable<? extends T> fn) {
        Greenlet<?> current = Greenlet.current();
        if (current != null && contains(current)) {
            return Callables.call(fn);
        }
        return spawn(fn).get();
    }

    /**
     * Runs {@code fn} in the group and returns a greenlet with its outcome, without ever waiting
     * (gevent's {@code apply_async}). When the group has room, the greenlet is the member
     * running {@code fn}; when a {@link Pool} is full, it is a greenlet outside the group that
     * waits for a slot and then {@linkplain #apply applies} {@code fn} there. So, as in gevent,
     * join the returned greenlet, not the group, to wait for the result.
     */
    public <T> Greenlet<T> applyAsync(Callable<? extends T> fn) {
        Objects.requireNonNull(fn, "fn");
        if (wouldWaitForRoom()) {
            return Hub.current().spawn(() -> apply(fn));
        }
        return spawn(fn);
    }

    /** Whether a spawn would wait for room now; {@link Pool} says so when it is full. */
    boolean wouldWaitForRoom() {
        return false;
    }

    /**
     * Applies {@code fn} to every item, concurrently, and returns the results in the order of
     * the items; the first failure (in that order) is rethrown and the rest are killed.
     */
    public <A, R> List<R> map(Function<? super A, ? extends R> fn, Iterable<? extends A> items) {
        List<R> results = new ArrayList<>();
        try (MapIterator<R> it = imap(fn, items)) {
            it.forEachRemaining(results::add);
        }
        return results;
    }

    /**
     * Applies {@code fn} to every item in greenlets of this group and yields the results in the
     * order of the items, as they become available (gevent's {@code imap}). Items are read
     * lazily; a {@link Pool} keeps at most its size in flight. A failure is rethrown when the
     * iteration reaches it; the iteration may go on past it, as in gevent. Close the iterator
     * to stop early: that kills the remaining work.
     */
    public <A, R> MapIterator<R> imap(Function<? super A, ? extends R> fn, Iterable<? extends A> items) {
        return new MapIterator<>(this, fn, items, true);
    }

    /**
     * Like {@link #imap} but yields each result as soon as it is ready, whatever its position
     * (gevent's {@code imap_unordered}).
     */
    public <A, R> MapIterator<R> imapUnordered(Function<? super A, ? extends R> fn, Iterable<? extends A> items) {
        return new MapIterator<>(this, fn, items, false);
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return getClass().getSimpleName() + "[size=" + members.size() + (failFast ? ", fail-fast" : "")
                    + (firstFailure != null ? ", failed: " + firstFailure : "") + "]";
        }
    }
}
