package dev.greenlet;

import java.util.concurrent.locks.LockSupport;
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
 *
 * <p>Turn events are written off the hub: each hub's {@link Recorder} keeps its turns in blocks
 * and the {@link Writer} thread commits them (docs/ARCHITECTURE.md, "JFR events off the hub"),
 * so a turn event's own time is when it was written and the turn's time is in its fields.
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
                Writer.start();
                attached = Hub.observeAllTurns(hub -> {
                    Recorder r = new Recorder(hub);
                    Writer.add(r);
                    return r;
                });
            } else if (!on && attached != null) {
                try {
                    attached.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e); // TurnObserver's handles throw nothing
                }
                attached = null;
                Writer.stop(); // what was recorded goes to the recordings still running, if any
                FROM_GREENLETS.clear();
            }
        }
    }

    private static void emitSummaries() {
        Writer.flush(); // the turns so far before the summary
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
            Recorder r = Writer.of(hub);
            e.turnsDropped = r == null ? 0 : r.dropped();
            e.commit();
        }
    }

    /** Each {@link TurnListener.End}'s word in a turn event: one string each, so JFR's string pool writes it once. */
    private static final String[] END_WORDS = java.util.Arrays.stream(TurnListener.End.values())
            .map(e -> e.name().toLowerCase(java.util.Locale.ROOT)).toArray(String[]::new);

    /**
     * The JFR listener of one hub. A turn costs the hub a few array stores into a block of this
     * recorder, never a JFR call: the {@link Writer} thread commits the blocks' turns as events
     * (docs/ARCHITECTURE.md, section "The turn observer", "JFR events off the hub").
     *
     * <p>How it works: a single producer (the hub's turn; TurnListener calls turnStarted and
     * turnEnded one at a time per hub) and a single consumer (the writer thread). The producer
     * fills {@code current} and publishes each record with a release store of the block's
     * {@code written}; a full block goes to {@code full} and the producer takes a drained one
     * from {@code free}, or a new one while fewer than {@link #MAX_BLOCKS} exist, else it drops
     * the turn and counts it ({@code dropped}, in each hub summary event). Invariant: the
     * consumer reads {@code published} before it polls {@code full}, so every block older than
     * the one it then reads in part is already in {@code full}: turns are committed in order.
     * Only the consumer writes a block's {@code read}. It recycles a block only when that block is
     * not {@code published} at that moment (a full block taken while it still was waits in
     * {@code retired}): a block that is not published can become so again only through
     * {@code free}, so the producer never resets a block the consumer may still commit, and
     * none is committed twice. A block the consumer found in {@code full} in a pass is not
     * committed again as {@code now} in that pass (it may be back in use), and no block is lost.
     */
    static final class Recorder implements TurnListener {
        // Here, not in JfrEvents: a Recorder exists only once jdk.jfr is known to be there.
        private static final EventType SPAWN = EventType.getEventType(SpawnEvent.class);
        private static final EventType KILL = EventType.getEventType(KillEvent.class);
        private static final EventType TURN = EventType.getEventType(TurnEvent.class);
        static final int BLOCK = 2048;       // turns per block
        static final int MAX_BLOCKS = 32;    // per hub: 65,536 turns (about 3 MB) waiting for the writer at most

        // weakly: the observer registry keys hubs weakly, and a listener it keeps must not hold its key
        private final java.lang.ref.WeakReference<Hub> hub;
        private final String hubName;
        private boolean retiring;              // the consumer's: its hub was closed and empty at the last pass
        // the hub's turn only (the producer)
        private Greenlet<?> openGreenlet;
        private long openStart;
        private long openWokenBy;
        private Block current;
        private int blocks;
        // shared
        private volatile Block published;      // the block the producer writes; written by the producer
        private final java.util.concurrent.ConcurrentLinkedQueue<Block> full = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final java.util.concurrent.ConcurrentLinkedQueue<Block> free = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private volatile long dropped;         // written by the producer only
        private Block retired;                 // the consumer's: a full block taken while still published
        private Block lastNow;                 // the consumer's: the block published at its last pass

        Recorder(Hub hub) {
            this.hub = new java.lang.ref.WeakReference<>(hub);
            this.hubName = hub.name();
        }

        /**
         * Whether the writer may forget this recorder: its hub is gone, or was closed with no live
         * greenlet at two passes in a row (so its last turn, recorded after the count fell, is in).
         */
        boolean finished() {
            Hub h = hub.get();
            boolean over = h == null || h.isClosed() && h.liveCount() == 0;
            boolean was = retiring;
            retiring = over;
            return over && was;
        }

        /** Turns dropped so far because the writer fell behind by {@link #MAX_BLOCKS} blocks. */
        long dropped() {
            return dropped;
        }

        @Override
        public void turnStarted(Hub hub, Greenlet<?> g, long wokenBy, long nanoTime) {
            openGreenlet = g;
            openStart = nanoTime;
            openWokenBy = wokenBy;
        }

        @Override
        public void turnEnded(Hub hub, Greenlet<?> g, End how, Object blocker, long nanoTime) {
            if (openGreenlet != g) {
                return; // attached during this turn: its start is unknown
            }
            openGreenlet = null;
            if (TURN.isEnabled()) { // (else spawn or kill events on, turn events off)
                record(openStart, nanoTime, g.id(), openWokenBy, how, g.name(), blocker);
            }
        }

        /** The producer: records one turn, or counts it dropped; on the hub's turn. */
        void record(long start, long end, long greenletId, long wokenBy, End how, String name, Object blocker) {
            Block b = current;
            if (b == null || b.written == BLOCK) {
                b = nextBlock();
                if (b == null) {
                    DROPPED.setOpaque(this, dropped + 1); // the single writer of the field
                    return;
                }
            }
            int i = b.written;
            b.start[i] = start;
            b.end[i] = end;
            b.gid[i] = greenletId;
            b.wokenBy[i] = wokenBy;
            b.how[i] = (byte) how.ordinal();
            b.name[i] = name;
            b.on[i] = blocker;
            Block.WRITTEN.setRelease(b, i + 1);
        }

        /** The producer's current block is full (or there is none): queue it, take a free or new one; null: drop. */
        private Block nextBlock() {
            Block old = current;
            if (old != null && !old.queued) {
                old.queued = true;
                full.add(old);
                Writer.wake();
            }
            Block b = free.poll();
            if (b == null) {
                if (blocks == MAX_BLOCKS) {
                    return null;
                }
                blocks++;
                b = new Block();
            }
            b.queued = false;
            Block.WRITTEN.setRelease(b, 0);
            current = b;
            published = b;
            return b;
        }

        /**
         * The consumer: commits what the hub recorded since the last call, in order, as JFR events;
         * on the writer thread or a flush. With {@code all} false (the writer's own passes), the
         * block the hub is filling is committed only if it was already that block at the last pass
         * (a hub slower than a block per pass). Reading the cache lines the hub is writing, pass
         * after pass, cost a busy hub's switches (measured: docs/ARCHITECTURE.md, "JFR events off
         * the hub"); a busy hub fills blocks, which go whole.
         */
        void commitRecorded(boolean all) {
            commitRecorded(this::commit, all);
        }

        /** The same, each turn through {@code write} (a block and an index into it): the tests' way in. */
        void commitRecorded(java.util.function.ObjIntConsumer<Block> write, boolean all) {
            Block now = published; // first: every block older than it is in full by now
            if (retired != null && retired != published) {
                recycle(retired); // the producer has moved on from it
                retired = null;
            }
            boolean nowDone = false;
            Block b;
            while ((b = full.poll()) != null) {
                commit(b, write);
                nowDone |= b == now;
                if (b == published) { // (read now: the producer may have moved past it meanwhile)
                    if (retired != null && retired != b) {
                        recycle(retired); // not published any more: the producer is on b
                    }
                    retired = b; // full, but still the producer's: recycled once it has a new one
                } else {
                    recycle(b);
                }
            }
            if (!nowDone && now != null && (all || now == lastNow)) {
                commit(now, write); // the rest of it, later, comes through full
            }
            lastNow = now;
        }

        private void recycle(Block b) {
            b.read = 0;
            free.add(b); // the queue's handoff orders this before the producer's reuse
        }

        private static void commit(Block b, java.util.function.ObjIntConsumer<Block> write) {
            int upTo = (int) Block.WRITTEN.getAcquire(b);
            for (int i = b.read; i < upTo; i++) {
                write.accept(b, i);
                b.on[i] = null; // the blocker may be big (a queue and its items): keep it no longer
            }
            b.read = upTo;
        }

        /**
         * A greenlet's own name, or null for the default "Greenlet-&lt;id&gt;": every byte of a turn
         * event costs (JFR writes short strings inline, and a recording's write rate slows
         * virtual-thread mounts), and the id already says which greenlet it is.
         */
        static String ownName(String name, long id) {
            if (name == null || !name.startsWith("Greenlet-") || name.length() - 9 > 19) {
                return name;
            }
            long v = 0;
            for (int k = 9; k < name.length(); k++) {
                char c = name.charAt(k);
                if (c < '0' || c > '9') {
                    return name;
                }
                v = v * 10 + (c - '0');
            }
            return name.length() > 9 && v == id ? null : name;
        }

        /** Writes turn {@code i} of {@code b} as a JFR event. */
        private void commit(Block b, int i) {
            TurnEvent e = new TurnEvent();
            e.hub = hubName;
            e.greenletId = b.gid[i];
            e.greenletName = ownName(b.name[i], b.gid[i]);
            e.end = END_WORDS[b.how[i]];
            Object blocker = b.on[i];
            e.waitingOn = TurnListener.describeBlocker(blocker, false);
            e.waitingOnGreenlet = blocker instanceof Greenlet<?> other ? other.id() : 0;
            e.wokenBy = b.wokenBy[i];
            e.startNanos = b.start[i];
            e.turnDuration = b.end[i] - b.start[i];
            if (e.shouldCommit()) {
                e.commit();
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

        private static final java.lang.invoke.VarHandle DROPPED;

        static {
            try {
                DROPPED = java.lang.invoke.MethodHandles.lookup().findVarHandle(Recorder.class, "dropped", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /** A block of recorded turns: parallel arrays, filled by the hub, committed by the writer. */
    static final class Block {
        static final java.lang.invoke.VarHandle WRITTEN;

        static {
            try {
                WRITTEN = java.lang.invoke.MethodHandles.lookup().findVarHandle(Block.class, "written", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final long[] start = new long[Recorder.BLOCK];
        final long[] end = new long[Recorder.BLOCK];
        final long[] gid = new long[Recorder.BLOCK];
        final long[] wokenBy = new long[Recorder.BLOCK];
        final byte[] how = new byte[Recorder.BLOCK];
        final String[] name = new String[Recorder.BLOCK];
        final Object[] on = new Object[Recorder.BLOCK];
        int written;     // the producer's; read by the consumer with acquire (release-stored per record)
        int read;        // the consumer's: committed up to here
        boolean queued;  // the producer's: already put in full
    }

    /**
     * The thread that commits recorded turns (and spawns and kills done on carrier greenlets, see
     * FROM_GREENLETS) to JFR, every {@link #INTERVAL_MS} ms or when a hub fills a block; it runs
     * while the JFR listener is attached. Its start and stop happen under JfrEvents.class.
     */
    static final class Writer implements Runnable {
        static final long INTERVAL_MS = 10;
        private static final java.util.concurrent.CopyOnWriteArrayList<Recorder> RECORDERS =
                new java.util.concurrent.CopyOnWriteArrayList<>();
        private static volatile Thread thread; // written under JfrEvents.class

        static void add(Recorder r) {
            RECORDERS.add(r);
        }

        static Recorder of(Hub hub) {
            for (Recorder r : RECORDERS) {
                if (r.hub.get() == hub) {
                    return r;
                }
            }
            return null;
        }

        static void wake() {
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }

        /** Commits everything recorded so far; any thread, serialized with the writer. */
        static void flush() {
            flush(true);
        }

        /** With {@code all} false (the writer's own passes), a busy hub's block in progress waits (Recorder.commitRecorded). */
        private static void flush(boolean all) {
            synchronized (Writer.class) {
                for (Recorder r : RECORDERS) {
                    r.commitRecorded(all);
                    if (r.finished()) {
                        RECORDERS.remove(r); // its blocks go with it: a recording that outlives many hubs keeps none of theirs
                    }
                }
                drainFromGreenlets();
            }
        }

        // under JfrEvents.class
        static void start() {
            if (thread == null) {
                Thread t = Thread.ofPlatform().daemon().name("greenlet-jfr-writer").unstarted(new Writer());
                thread = t;
                t.start();
            }
        }

        // under JfrEvents.class: a last flush, then the thread ends and the recorders go
        static void stop() {
            Thread t = thread;
            thread = null;
            flush();
            RECORDERS.clear();
            if (t != null) {
                LockSupport.unpark(t);
            }
        }

        @Override
        public void run() {
            Thread me = Thread.currentThread();
            while (thread == me) {
                try {
                    flush(false);
                } catch (Throwable e) {
                    LOG.log(System.Logger.Level.WARNING, "writing greenlet turn events to JFR failed; the writer goes on", e);
                }
                LockSupport.parkNanos(this, java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS));
            }
        }
    }

    // ---------------------------------------------------------------- events from greenlets' threads

    /*
     * On the carrier engine, a JFR event must not be touched on a greenlet's virtual thread: seen on
     * JDK 25, an event even only created there (its shouldCommit() asks for the thread's event
     * writer) makes the carrier thread drop its next commit. So a spawn or kill done by such a
     * greenlet is queued here and committed by the writer thread (docs/ARCHITECTURE.md, section
     * "The turn observer"). Any thread adds; the writer drains, under Writer.class.
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

    /** Commits what greenlets' threads queued; on the writer thread or JFR's periodic thread, under Writer.class. */
    private static void drainFromGreenlets() {
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
    @Description("A greenlet held its hub: from the start of its turn to the cooperative point where it gave the turn up."
            + " Written in batches off the hub, within about 10 ms: the event's own time is when it was written; the"
            + " turn's start and length are startNanos and turnDuration")
    @StackTrace(false)
    static final class TurnEvent extends Event {
        @Label("Hub")
        String hub;
        @Label("Greenlet Id")
        long greenletId;
        @Label("Greenlet")
        @Description("Its name; empty for a greenlet without a name of its own (\"Greenlet-<id>\"): the id says which")
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
        @Label("Turn Start (nanoTime)")
        @Description("System.nanoTime() when the turn started: orders a hub's turns and measures the gaps between them;"
                + " the turn ended startNanos + turnDuration, shortly before the event's own time")
        long startNanos;
        @Label("Turn Duration")
        @Description("How long the greenlet held the hub")
        @jdk.jfr.Timespan(jdk.jfr.Timespan.NANOSECONDS)
        long turnDuration;

        /** The setting "turnThreshold": only turns at least this long are written (the events' own duration is 0). */
        @Name("turnThreshold")
        @Label("Turn Threshold")
        @jdk.jfr.SettingDefinition
        boolean turnThreshold(TurnThreshold threshold) {
            return turnDuration >= threshold.nanos;
        }
    }

    /**
     * The Turn event's "turnThreshold" setting ("0 ms", "1 ms", "500 us"...): JFR's own
     * threshold measures an event's duration, which a turn written off the hub does not have.
     * With several recordings, the lowest value wins, as for JFR's threshold.
     */
    @Name("dev.greenlet.TurnThreshold")
    @Label("Turn Threshold")
    @jdk.jfr.MetadataDefinition
    static final class TurnThreshold extends jdk.jfr.SettingControl {
        private static final java.util.regex.Pattern VALUE = java.util.regex.Pattern.compile("\\s*(\\d+)\\s*(ns|us|ms|s)\\s*");
        private volatile String value = "0 ns";
        volatile long nanos;

        public TurnThreshold() {
        }

        static long parse(String v) {
            java.util.regex.Matcher m = VALUE.matcher(v == null ? "" : v);
            if (!m.matches()) {
                return -1;
            }
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ns" -> n;
                case "us" -> n * 1_000L;
                case "ms" -> n * 1_000_000L;
                default -> n * 1_000_000_000L;
            };
        }

        @Override
        public String combine(java.util.Set<String> values) {
            String min = null;
            long minNanos = Long.MAX_VALUE;
            for (String v : values) {
                long n = parse(v);
                if (n >= 0 && n < minNanos) {
                    minNanos = n;
                    min = v;
                }
            }
            return min == null ? "0 ns" : min;
        }

        @Override
        public void setValue(String v) {
            long n = parse(v);
            if (n < 0) {
                LOG.log(System.Logger.Level.WARNING, "dev.greenlet.Turn: turnThreshold \"" + v
                        + "\" is not a duration such as \"0 ms\", \"500 us\" or \"1 s\"; every turn is written");
                n = 0;
            }
            value = v;
            nanos = n;
        }

        @Override
        public String getValue() {
            return value;
        }
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
        @Label("Turns Dropped")
        @Description("Turn events lost since the recording began because the JFR writer thread fell 65,536 turns"
                + " behind this hub (the hub never waits for it)")
        long turnsDropped;
    }
}
