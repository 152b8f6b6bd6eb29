package dev.greenlet;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.Recording;
import jdk.jfr.StackTrace;

/**
 * The hub's JFR events (category "Greenlet"): a turn, a spawn, a kill, and a periodic hub
 * summary. (Stalls and deadlocks are the hub monitor's: {@code dev.greenlet.diagnostics}.)
 * The settings file {@code dev/greenlet/greenlet.jfc} turns them on.
 *
 * <p>How it stays free when no recording wants them (docs/ARCHITECTURE.md, section "The turn
 * observer"): the event types are registered with the recorder when the first hub is created,
 * and a recorder listener attaches a {@link TurnListener} to every hub only while some recording
 * enables a turn, spawn or kill event; otherwise the hubs have no observer for JFR and nothing
 * is allocated. Set {@code -Ddev.greenlet.jfr=false} to keep greenlets out of JFR altogether.
 * The listener is attached and detached under this class's lock; a recording's change of state
 * is the only thing that writes {@link #attached}.
 */
final class JfrEvents {

    private static final System.Logger LOG = System.getLogger(JfrEvents.class.getName());
    private static final boolean WANTED = !"false".equalsIgnoreCase(System.getProperty("dev.greenlet.jfr"));

    private static boolean registered;          // guarded by JfrEvents.class
    private static AutoCloseable attached;      // guarded by JfrEvents.class: the JFR listener on every hub, or null

    private JfrEvents() {
    }

    /** Registers the events and the recorder listener, once per JVM; never throws. */
    static void ensureRegistered() {
        if (!WANTED) {
            return;
        }
        synchronized (JfrEvents.class) {
            if (registered) {
                return;
            }
            registered = true;
        }
        try {
            Registration.run();
        } catch (Throwable e) { // a runtime without the jdk.jfr module: hubs work without the events
            LOG.log(System.Logger.Level.DEBUG, "greenlet JFR events unavailable", e);
        }
    }

    /** Kept apart so that a runtime without jdk.jfr fails here, not when it loads JfrEvents. */
    private static final class Registration {
        static void run() {
            FlightRecorder.register(TurnEvent.class);
            FlightRecorder.register(SpawnEvent.class);
            FlightRecorder.register(KillEvent.class);
            FlightRecorder.addPeriodicEvent(HubSummaryEvent.class, JfrEvents::emitSummaries);
            FlightRecorder.addListener(new FlightRecorderListener() {
                @Override
                public void recordingStateChanged(Recording recording) {
                    update();
                }
            });
            update();
        }
    }

    /** Attaches or detaches the JFR turn listener according to what the running recordings enable. */
    static void update() {
        boolean on = EventType.getEventType(TurnEvent.class).isEnabled()
                || EventType.getEventType(SpawnEvent.class).isEnabled()
                || EventType.getEventType(KillEvent.class).isEnabled();
        synchronized (JfrEvents.class) {
            if (on && attached == null) {
                attached = Hub.observeAllTurns(hub -> new Recorder());
            } else if (!on && attached != null) {
                FROM_GREENLETS.clear(); // no recording wants them any more
                try {
                    attached.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e); // TurnObserver's handles throw nothing
                }
                attached = null;
            }
        }
    }

    private static void emitSummaries() {
        drainFromGreenlets();
        for (Hub hub : TurnObserver.hubs()) {
            HubSummaryEvent e = new HubSummaryEvent();
            e.hub = hub.name();
            e.engine = hub.engine().name().toLowerCase(java.util.Locale.ROOT);
            e.live = hub.liveCount();
            e.switches = hub.switchCount();
            int ready = 0;
            for (Hub.Activity a : hub.activities()) {
                if (a.state() == Hub.GreenletState.READY) {
                    ready++;
                }
            }
            e.ready = ready;
            e.commit();
        }
    }

    /** Each {@link TurnListener.End}'s word in a turn event: one string each, so JFR's string pool writes it once. */
    private static final String[] END_WORDS = java.util.Arrays.stream(TurnListener.End.values())
            .map(e -> e.name().toLowerCase(java.util.Locale.ROOT)).toArray(String[]::new);

    /** The JFR listener of one hub: turns come one at a time (TurnListener), so {@code open} needs no lock. */
    static final class Recorder implements TurnListener {
        // Here, not in JfrEvents: a Recorder exists only once jdk.jfr is known to be there.
        private static final EventType SPAWN = EventType.getEventType(SpawnEvent.class);
        private static final EventType KILL = EventType.getEventType(KillEvent.class);

        private TurnEvent open; // the hub's turn only: the event of the turn that runs

        @Override
        public void turnStarted(Hub hub, Greenlet<?> g, long wokenBy, long nanoTime) {
            TurnEvent e = new TurnEvent();
            if (!e.isEnabled()) {
                open = null;
                return;
            }
            e.begin();
            e.wokenBy = wokenBy;
            open = e;
        }

        @Override
        public void turnEnded(Hub hub, Greenlet<?> g, End how, Object blocker, long nanoTime) {
            TurnEvent e = open;
            open = null;
            if (e == null) {
                if (!FROM_GREENLETS.isEmpty() && !Thread.currentThread().isVirtual()) {
                    drainFromGreenlets(); // turn events off, spawn or kill events on
                }
                return;
            }
            e.end();
            if (e.shouldCommit()) {
                e.hub = hub.name();
                e.greenletId = g.id();
                e.greenletName = g.name();
                e.end = END_WORDS[how.ordinal()];
                e.waitingOn = TurnListener.describeBlocker(blocker, false);
                e.waitingOnGreenlet = blocker instanceof Greenlet<?> other ? other.id() : 0;
                e.commit();
            }
            if (!FROM_GREENLETS.isEmpty() && !Thread.currentThread().isVirtual()) {
                drainFromGreenlets(); // on the carrier, after this turn's event (see FROM_GREENLETS)
            }
        }

        @Override
        public void spawned(Hub hub, Greenlet<?> g, Greenlet<?> by) {
            if (!SPAWN.isEnabled()) {
                return;
            }
            String hubName = hub.name();
            long id = g.id();
            String name = g.name();
            long byId = by == null ? 0 : by.id();
            emit(() -> {
                SpawnEvent e = new SpawnEvent();
                if (e.shouldCommit()) {
                    e.hub = hubName;
                    e.greenletId = id;
                    e.greenletName = name;
                    e.spawnedBy = byId;
                    e.commit();
                }
            });
        }

        @Override
        public void killed(Hub hub, Greenlet<?> g, Greenlet<?> by) {
            if (!KILL.isEnabled()) {
                return;
            }
            String hubName = hub.name();
            long id = g.id();
            String name = g.name();
            long byId = by == null ? 0 : by.id();
            String killer = onCarrierGreenlet() ? stackOfCaller() : null;
            emit(() -> {
                KillEvent e = new KillEvent();
                if (e.shouldCommit()) {
                    e.hub = hubName;
                    e.greenletId = id;
                    e.greenletName = name;
                    e.killedBy = byId;
                    e.killerStack = killer;
                    e.commit();
                }
            });
        }
    }

    // ---------------------------------------------------------------- events from greenlets' threads

    /*
     * On the carrier engine, a JFR event must not be touched on a greenlet's virtual thread: seen on
     * JDK 25, an event even only created there (its shouldCommit() asks for the thread's event
     * writer) makes the carrier thread drop its next commit, the turn event of that very turn. So a
     * spawn or kill done by such a greenlet is queued here and committed on a carrier, right after
     * the next turn event, or by the periodic summary (docs/ARCHITECTURE.md, section "The turn
     * observer"). Any thread adds; carriers and JFR's periodic thread drain.
     */
    private static final java.util.concurrent.ConcurrentLinkedQueue<Runnable> FROM_GREENLETS =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** Whether the calling thread is a greenlet's on the carrier engine. */
    private static boolean onCarrierGreenlet() {
        Greenlet<?> g = Greenlet.current();
        return g != null && g.hub().engine() == Hub.Engine.CARRIER;
    }

    private static void emit(Runnable commit) {
        if (onCarrierGreenlet()) {
            FROM_GREENLETS.add(commit);
        } else {
            commit.run();
        }
    }

    /** Commits what greenlets' threads queued; on a carrier (outside any turn) or JFR's periodic thread. */
    static void drainFromGreenlets() {
        Runnable r;
        while ((r = FROM_GREENLETS.poll()) != null) {
            r.run();
        }
    }

    /** The classes a kill passes through before it reaches the listener: not the killer's frames. */
    private static final java.util.regex.Pattern INTERNAL = java.util.regex.Pattern.compile(
            "dev\\.greenlet\\.(JfrEvents|TurnObserver|HubEngine|Greenlet|KillDelivery|Gevent)(\\$.*)?");

    private static String stackOfCaller() {
        StringBuilder b = new StringBuilder();
        StackWalker.getInstance().walk(frames -> {
            frames.dropWhile(f -> INTERNAL.matcher(f.getClassName()).matches()).limit(16)
                    .forEach(f -> b.append(f).append('\n'));
            return null;
        });
        return b.toString();
    }

    @Name("dev.greenlet.Turn")
    @Enabled(false) // off unless a recording enables it (greenlet.jfc does)
    @Label("Greenlet Turn")
    @Category("Greenlet")
    @Description("A greenlet held its hub: from the start of its turn to the cooperative point where it gave the turn up")
    @StackTrace(false)
    static final class TurnEvent extends Event {
        @Label("Hub")
        String hub;
        @Label("Greenlet Id")
        long greenletId;
        @Label("Greenlet")
        String greenletName;
        @Label("Ended By")
        @Description("wait, yield, exit, offload, or parked (the carrier engine: a JDK wait)")
        String end;
        @Label("Waiting On")
        @Description("What the greenlet waits on after the turn, when it ended in a wait")
        String waitingOn;
        @Label("Waiting On Greenlet")
        @Description("Id of the greenlet it joins, when it waits on one; else 0")
        long waitingOnGreenlet;
        @Label("Woken By")
        @Description("Id of the greenlet that made this one ready for the turn; 0 if none did (a timer, a plain thread)")
        long wokenBy;
    }

    @Name("dev.greenlet.Spawn")
    @Enabled(false) // off unless a recording enables it (greenlet.jfc does)
    @Label("Greenlet Spawn")
    @Category("Greenlet")
    @StackTrace(false)
    static final class SpawnEvent extends Event {
        @Label("Hub")
        String hub;
        @Label("Greenlet Id")
        long greenletId;
        @Label("Greenlet")
        String greenletName;
        @Label("Spawned By")
        @Description("Id of the spawning greenlet; 0 for a plain thread")
        long spawnedBy;
    }

    @Name("dev.greenlet.Kill")
    @Enabled(false) // off unless a recording enables it (greenlet.jfc does)
    @Label("Greenlet Kill")
    @Category("Greenlet")
    @StackTrace(true)
    static final class KillEvent extends Event {
        @Label("Hub")
        String hub;
        @Label("Greenlet Id")
        long greenletId;
        @Label("Greenlet")
        String greenletName;
        @Label("Killed By")
        @Description("Id of the killing greenlet; 0 for a plain thread")
        long killedBy;
        @Label("Killer Stack")
        @Description("The killing greenlet's stack when it ran on the carrier engine (the event's own stack trace is then"
                + " the carrier's, where it was committed); else empty, and the stack trace is the killer's")
        String killerStack;
    }

    @Name("dev.greenlet.HubSummary")
    @Enabled(false) // off unless a recording enables it (greenlet.jfc does)
    @Label("Greenlet Hub Summary")
    @Category("Greenlet")
    @Period("1 s")
    @StackTrace(false)
    static final class HubSummaryEvent extends Event {
        @Label("Hub")
        String hub;
        @Label("Engine")
        String engine;
        @Label("Live Greenlets")
        int live;
        @Label("Ready Greenlets")
        int ready;
        @Label("Switches")
        @Description("Turns passed from one greenlet to another since the hub was created")
        long switches;
    }
}
