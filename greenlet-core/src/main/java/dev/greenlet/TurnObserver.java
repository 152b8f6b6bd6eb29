package dev.greenlet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Function;

/**
 * The turn observer of one hub: the {@link TurnListener}s attached to it, which its engine
 * calls at the seam (docs/ARCHITECTURE.md, section "The turn observer"). The engine holds it in
 * {@link HubEngine#observer}, null when nothing listens, so an unobserved turn costs one branch;
 * and with {@code -Ddev.greenlet.turnHooks=false} ({@link HubEngine#TURN_HOOKS}) the JIT drops
 * the hooks altogether (for the benchmark that compares the two).
 *
 * <p>Invariant: an observer is immutable; attaching or detaching a listener builds a new one
 * and writes it to the engine's volatile field, under this class's lock, which guards the
 * registry below. The engines only read the field. Every call into a listener catches what it
 * throws: a listener never throws into the engine.
 */
final class TurnObserver {

    /**
     * What listeners throw: bounded (the first three of a kind per minute in full, then a count),
     * since a listener that throws on every turn would otherwise log a million lines a second.
     */
    private static final dev.greenlet.internal.FailureLog FAILURES = new dev.greenlet.internal.FailureLog(3,
            java.time.Duration.ofMinutes(1), dev.greenlet.internal.FailureLog.systemLogger(TurnObserver.class.getName()));

    // guarded by TurnObserver.class: the hubs created so far (weakly: a hub nobody holds is collected),
    // each with the listeners attached to it alone
    private static final Map<Hub, List<TurnListener>> HUBS = new WeakHashMap<>();
    // guarded by TurnObserver.class: listeners for every hub, and the listener each made for each hub
    private static final List<Function<? super Hub, ? extends TurnListener>> GLOBAL = new ArrayList<>();
    private static final Map<Hub, Map<Function<? super Hub, ? extends TurnListener>, TurnListener>> GLOBAL_MADE = new WeakHashMap<>();

    final Hub hub;
    private final TurnListener[] listeners;
    // the hub's turn only (turns are ordered by the engine's handoff): when the last turn ended,
    // or 0 if the hub went idle since (then the next start reads the clock)
    private long lastEnd;
    private long lastStart; // the hub's turn only: the start of the turn that runs (or ran last)

    private TurnObserver(Hub hub, TurnListener[] listeners) {
        this.hub = hub;
        this.listeners = listeners;
    }

    /** Called once by each hub's constructor: it gets the listeners attached to every hub. */
    static void register(Hub hub) {
        synchronized (TurnObserver.class) {
            HUBS.put(hub, new ArrayList<>());
            if (!GLOBAL.isEmpty()) {
                update(hub);
            }
        }
        JfrEvents.ensureRegistered();
    }

    /** The hubs created so far and not collected. */
    static List<Hub> hubs() {
        synchronized (TurnObserver.class) {
            return new ArrayList<>(HUBS.keySet());
        }
    }

    static AutoCloseable attach(Hub hub, TurnListener listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        synchronized (TurnObserver.class) {
            HUBS.computeIfAbsent(hub, h -> new ArrayList<>()).add(listener);
            update(hub);
        }
        return () -> {
            synchronized (TurnObserver.class) {
                List<TurnListener> own = HUBS.get(hub);
                if (own != null && own.remove(listener)) {
                    update(hub);
                }
            }
        };
    }

    static AutoCloseable attachAll(Function<? super Hub, ? extends TurnListener> perHub) {
        java.util.Objects.requireNonNull(perHub, "perHub");
        synchronized (TurnObserver.class) {
            GLOBAL.add(perHub);
            for (Hub hub : HUBS.keySet()) {
                update(hub);
            }
        }
        return () -> {
            synchronized (TurnObserver.class) {
                if (GLOBAL.remove(perHub)) {
                    for (Hub hub : HUBS.keySet()) {
                        Map<Function<? super Hub, ? extends TurnListener>, TurnListener> made = GLOBAL_MADE.get(hub);
                        if (made != null) {
                            made.remove(perHub);
                        }
                        update(hub);
                    }
                }
            }
        };
    }

    /** Rebuilds {@code hub}'s observer from the registry; holding the class's lock. */
    private static void update(Hub hub) {
        List<TurnListener> all = new ArrayList<>(HUBS.getOrDefault(hub, List.of()));
        if (!GLOBAL.isEmpty()) {
            Map<Function<? super Hub, ? extends TurnListener>, TurnListener> made =
                    GLOBAL_MADE.computeIfAbsent(hub, h -> new java.util.IdentityHashMap<>());
            for (Function<? super Hub, ? extends TurnListener> perHub : GLOBAL) {
                TurnListener l = made.get(perHub);
                if (l == null) {
                    l = perHub.apply(hub);
                    made.put(perHub, l);
                }
                if (l != null) {
                    all.add(l);
                }
            }
        }
        hub.engine.observer = all.isEmpty() ? null : new TurnObserver(hub, all.toArray(new TurnListener[0]));
    }

    // ---------------------------------------------------------------- the calls the engines make

    /**
     * {@code g}'s turn starts: on the hub's turn. When the hub passed the turn straight on, the
     * start is 1 ns after the last turn's end (one clock read per switch, not two:
     * {@code System.nanoTime} is most of what an observed switch costs); after the hub sat idle
     * it is read anew.
     */
    void began(Greenlet<?> g) {
        long end = lastEnd;
        // 1 ns after the last end: the handoff took at least that, and the turns never touch (a
        // trace's microseconds, summed in floating point, would otherwise make them overlap)
        long now = end == 0 ? System.nanoTime() : end + 1;
        lastStart = now;
        long by = g.wokenBy;
        g.wokenBy = 0;
        for (TurnListener l : listeners) {
            try {
                l.turnStarted(hub, g, by, now);
            } catch (Throwable e) {
                failed(l, e);
            }
        }
    }

    /** {@code g}'s turn ends: on the hub's turn. */
    void ended(Greenlet<?> g, TurnListener.End how, Object blocker) {
        long now = Math.max(System.nanoTime(), lastStart); // never before its start (see began)
        lastEnd = now;
        for (TurnListener l : listeners) {
            try {
                l.turnEnded(hub, g, how, blocker, now);
            } catch (Throwable e) {
                failed(l, e);
            }
        }
    }

    /** The hub gives the turn to nobody: on the hub's turn (after a turn's end, before the next start). */
    void idle() {
        lastEnd = 0;
    }

    /** {@code g} is made ready by the calling code; any thread. */
    void madeReady(Greenlet<?> g) {
        Greenlet<?> by = Greenlet.current();
        madeReady(g, by == g ? null : by); // its own yield or JDK park: nobody else woke it
    }

    /** {@code g} is made ready by {@code by} (null: not by another greenlet); any thread. */
    void madeReady(Greenlet<?> g, Greenlet<?> by) {
        g.wokenBy = by == null ? 0 : by.id();
        for (TurnListener l : listeners) {
            try {
                l.madeReady(hub, g, by);
            } catch (Throwable e) {
                failed(l, e);
            }
        }
    }

    void spawned(Greenlet<?> g) {
        Greenlet<?> by = g.spawningGreenlet();
        for (TurnListener l : listeners) {
            try {
                l.spawned(hub, g, by);
            } catch (Throwable e) {
                failed(l, e);
            }
        }
    }

    void killed(Greenlet<?> g) {
        Greenlet<?> by = Greenlet.current();
        for (TurnListener l : listeners) {
            try {
                l.killed(hub, g, by);
            } catch (Throwable e) {
                failed(l, e);
            }
        }
    }

    private static void failed(TurnListener l, Throwable e) {
        try {
            FAILURES.failed("turn listener " + l + " threw; the hub goes on", e);
        } catch (Throwable ignored) {
            // a listener never throws into the engine, not even through a failing logger
        }
    }

    static List<Hub> hubsSnapshot() {
        return Collections.unmodifiableList(hubs());
    }
}
