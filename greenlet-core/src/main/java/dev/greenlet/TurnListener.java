package dev.greenlet;

/**
 * Sees every turn a hub gives: when a greenlet's turn starts and ends, how it ended, who made
 * it ready, and the hub's spawns and kills. The timeline, the "who holds the hub" statistics and
 * the JFR events of {@code dev.greenlet.diagnostics} are such listeners; attach one with
 * {@link Hub#observeTurns} (one hub) or {@link Hub#observeAllTurns} (every hub, present and
 * future).
 *
 * <p>How it is called (docs/ARCHITECTURE.md, section "The turn observer"): {@link #turnStarted}
 * and {@link #turnEnded} run on the hub's own turn (the greenlet's thread on the permit engine,
 * the hub's carrier thread on the carrier engine), one call at a time per hub, each turn's end
 * before the next turn's start: a listener of one hub needs no lock for what only they touch.
 * {@link #madeReady}, {@link #spawned} and {@link #killed} run on whatever thread did it, maybe
 * concurrently with a turn. Every method must return quickly, never block and never wait for
 * the hub: the engine waits for it. What a method throws is logged and dropped, never thrown
 * into the engine. A listener attached while a turn runs may see that turn's end without its
 * start.
 *
 * <p>gevent has no such hook (its hub's loop is C code in libev/libuv); the nearest are
 * {@code greenlet.settrace} (one global callback per switch) and gevent's monitor thread. This
 * one is per hub, reports the turn's length and reason, and costs one branch when nothing is
 * attached.
 */
public interface TurnListener {

    /** How a turn ended. */
    enum End {
        /** The greenlet waited in a wait of this library (a join, an event, a queue, a lock, sleep); the blocker says on what. */
        WAIT,
        /** The greenlet yielded ({@code sleep(0)}) and queued behind every ready greenlet. */
        YIELD,
        /** The greenlet's body ended. */
        EXIT,
        /** The greenlet went into {@link Gevent#offload}: its call runs without the turn. */
        OFFLOAD,
        /**
         * The carrier engine only: its virtual thread parked in a JDK wait (a socket read, a
         * lock, {@code Thread.sleep}), which passes the turn there.
         */
        PARKED
    }

    /**
     * {@code g} of {@code hub} starts a turn at {@code nanoTime} ({@link System#nanoTime()}).
     * When the hub passes the turn straight from one greenlet to the next, this is 1 ns after the
     * previous turn's end, so that turns lie back to back without touching and a switch costs one
     * clock read (the handoff's own latency counts into the new turn); after the hub sat idle, it
     * is the clock's reading.
     *
     * @param wokenBy the id of the greenlet that made {@code g} ready for this turn (spawned it,
     *                resolved its wait), or 0 when that was no greenlet of a hub (a timer, a
     *                plain thread, the JDK)
     */
    void turnStarted(Hub hub, Greenlet<?> g, long wokenBy, long nanoTime);

    /**
     * {@code g}'s turn ends at {@code nanoTime}.
     *
     * @param how     why it ended
     * @param blocker what it waits on for {@link End#WAIT} (a greenlet, an event, its hub for a
     *                sleep...), else null
     */
    void turnEnded(Hub hub, Greenlet<?> g, End how, Object blocker, long nanoTime);

    /** {@code g} was made ready by {@code by} (null: not by a greenlet). Any thread. Does nothing by default. */
    default void madeReady(Hub hub, Greenlet<?> g, Greenlet<?> by) {
    }

    /** {@code g} was started on {@code hub} by {@code by} (null: from a plain thread). Any thread. Does nothing by default. */
    default void spawned(Hub hub, Greenlet<?> g, Greenlet<?> by) {
    }

    /** {@code g} is being killed by {@code by} (null: from a plain thread). Any thread. Does nothing by default. */
    default void killed(Hub hub, Greenlet<?> g, Greenlet<?> by) {
    }

    /**
     * What a turn that ended in {@link End#WAIT} waits on, in a word: {@code "join"} for another
     * greenlet, {@code "sleep"} for its hub's timer, else the blocker's class name (simple or
     * qualified); null for no blocker. It builds no string (the class keeps its names), so a
     * listener may call it on every turn.
     */
    static String describeBlocker(Object blocker, boolean simpleName) {
        if (blocker == null) {
            return null;
        }
        if (blocker instanceof Greenlet<?>) {
            return "join";
        }
        if (blocker instanceof Hub) {
            return "sleep";
        }
        return simpleName ? blocker.getClass().getSimpleName() : blocker.getClass().getName();
    }
}
