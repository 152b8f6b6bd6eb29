package dev.greenlet.diagnostics;

import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import dev.greenlet.TurnListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records the last seconds of every turn of some hubs, in bounded memory, and writes them as
 * Chrome trace-event JSON (which Perfetto, {@code chrome://tracing} and the starter's timeline
 * page open): one track per hub with its turns back to back, each named by its greenlet; flow
 * arrows from the greenlet that made another ready to that greenlet's turn; a counter of the
 * hub's ready greenlets; and stalls marked (category {@code stall}: a turn as long as the stall
 * threshold, and the hub monitor's reports as instant events).
 *
 * <p>How it works: each attached hub gets a {@link TurnListener} (a track) whose ring buffer of
 * {@code capacityPerHub} turns the hub's turns write one at a time, on the hub's own turn
 * (docs/ARCHITECTURE.md, section "The turn observer"); the track's monitor guards the ring, so
 * that {@link #writeChromeTrace} can copy it from any thread. A full ring overwrites its oldest
 * turn: memory is bounded by the capacity, whatever the load, and the window by {@code keep}.
 * Nothing here blocks the hub for longer than one copy into the ring.
 *
 * <p>gevent has nothing like it: its tools are the monitor thread and text dumps of the run
 * state. The JDK's JFR has no event for a virtual thread's mount or unmount, so a program on
 * plain virtual threads cannot draw this picture either.
 */
public final class Timeline implements AutoCloseable {

    /** The turns a track keeps per hub unless told otherwise: about 3 MB per hub. */
    public static final int DEFAULT_CAPACITY = 50_000;
    /** The longest window a timeline may keep. */
    public static final Duration MAX_KEEP = Duration.ofMinutes(10);
    /** The most turns a timeline keeps per hub (about 60 MB per hub at 60 bytes a turn). */
    public static final int MAX_CAPACITY = 1_000_000;

    private final long keepNanos;
    private final int capacity;
    private final long stallNanos;
    private final long originNanos = System.nanoTime(); // the trace's time zero
    private final CopyOnWriteArrayList<Track> tracks = new CopyOnWriteArrayList<>();
    private final AtomicInteger nextTid = new AtomicInteger(1);

    /**
     * A timeline that keeps turns for {@code keep}, at most {@code capacityPerHub} per hub, and
     * marks a turn as a stall when it held the hub for {@code stallThreshold} or longer.
     *
     * @throws IllegalArgumentException if {@code keep} is not positive or above {@link #MAX_KEEP},
     *         {@code capacityPerHub} is below 16 or above {@link #MAX_CAPACITY}, or {@code stallThreshold} is not positive
     */
    public Timeline(Duration keep, int capacityPerHub, Duration stallThreshold) {
        Objects.requireNonNull(keep, "keep");
        Objects.requireNonNull(stallThreshold, "stallThreshold");
        if (keep.isNegative() || keep.isZero() || keep.compareTo(MAX_KEEP) > 0) {
            throw new IllegalArgumentException("keep must be positive and at most " + MAX_KEEP + ", got " + keep);
        }
        if (capacityPerHub < 16 || capacityPerHub > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacityPerHub must be between 16 and " + MAX_CAPACITY + " turns, got "
                    + capacityPerHub);
        }
        if (stallThreshold.isNegative() || stallThreshold.isZero()) {
            throw new IllegalArgumentException("stallThreshold must be positive, got " + stallThreshold);
        }
        this.keepNanos = keep.toNanos();
        this.capacity = capacityPerHub;
        this.stallNanos = stallThreshold.toNanos();
    }

    /** Starts recording the turns of {@code hub} (and the stalls its {@link HubMonitor}, if any, reports). Returns this. */
    public Timeline attach(Hub hub) {
        Track track = new Track(hub, nextTid.getAndIncrement());
        track.handle = hub.observeTurns(track);
        HubMonitor monitor = HubMonitor.of(hub);
        if (monitor != null) {
            monitor.addListener(track);
            track.monitor = monitor;
        }
        tracks.add(track);
        return this;
    }

    /** The hubs this timeline records. */
    public List<Hub> hubs() {
        return tracks.stream().map(t -> t.hub).toList();
    }

    /** Stops recording; what was recorded can still be written. */
    @Override
    public void close() {
        for (Track t : tracks) {
            t.detach();
        }
    }

    /** One recorded turn. Times are {@link System#nanoTime()} values. */
    public record Turn(Hub hub, long greenletId, String name, long startNanos, long endNanos, TurnListener.End end,
            String waitingOn, long wokenBy, int ready) {
        /** How long the greenlet held the hub. */
        public Duration duration() {
            return Duration.ofNanos(endNanos - startNanos);
        }
    }

    /** A stall the hub monitor reported. */
    public record Stall(Hub hub, long greenletId, String name, long atNanos, String site, String advice, boolean deadlock) {
    }

    /** The turns of {@code hub} that ended in the last {@code last}, oldest first. */
    public List<Turn> turns(Hub hub, Duration last) {
        long since = System.nanoTime() - Math.min(last.toNanos(), keepNanos);
        for (Track t : tracks) {
            if (t.hub == hub) {
                return t.copy(since);
            }
        }
        throw new IllegalArgumentException("this timeline does not record hub '" + hub.name() + "': attach it first");
    }

    /** How many turns a track holds now, at most the capacity (for the bounded-memory test). */
    int held(Hub hub) {
        for (Track t : tracks) {
            if (t.hub == hub) {
                synchronized (t) {
                    return t.size;
                }
            }
        }
        return 0;
    }

    /** {@link #writeChromeTrace} into a string. */
    public String chromeTrace(Duration last) {
        StringBuilder sb = new StringBuilder(1 << 16);
        try {
            writeChromeTrace(sb, last);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringBuilder does not throw
        }
        return sb.toString();
    }

    /**
     * Writes the turns that ended in the last {@code last} (at most what the timeline keeps) as
     * Chrome trace-event JSON: an object with {@code traceEvents}. Times are microseconds since
     * this timeline was created. Per hub one track ({@code pid} 1, {@code tid} per hub, named
     * "hub NAME"); per turn a complete event ({@code "ph":"X"}) named by its greenlet with
     * {@code args} greenlet id, how it ended and on what it waits; per wake-up by a greenlet a
     * flow ({@code "s"} in the waker's turn, {@code "f"} at the woken turn's start); the counter
     * "ready NAME" ({@code "C"}); stalls in category {@code stall}.
     */
    public void writeChromeTrace(Appendable out, Duration last) throws IOException {
        Objects.requireNonNull(last, "last");
        long now = System.nanoTime();
        long since = now - Math.min(Math.max(0, last.toNanos()), keepNanos);
        List<Turn> all = new ArrayList<>();
        Map<Hub, Integer> tid = new HashMap<>();
        List<Stall> stalls = new ArrayList<>();
        out.append("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"source\":\"greenlet-core Timeline\",\"stallThresholdMs\":")
                .append(Double.toString(stallNanos / 1e6)).append(",\"seconds\":")
                .append(Double.toString((now - since) / 1e9)).append("},\"traceEvents\":[");
        out.append("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"args\":{\"name\":\"greenlet hubs\"}}");
        for (Track t : tracks) {
            tid.put(t.hub, t.tid);
            out.append(",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":").append(Integer.toString(t.tid))
                    .append(",\"args\":{\"name\":");
            string(out, "hub " + t.hub.name());
            out.append("}}");
            all.addAll(t.copy(since));
            stalls.addAll(t.stalls(since));
        }
        all.sort(Comparator.comparingLong(Turn::startNanos));
        Map<Long, Turn> lastTurnOf = new HashMap<>();
        long flowId = 1;
        for (Turn turn : all) {
            int track = tid.get(turn.hub());
            boolean stall = turn.endNanos() - turn.startNanos() >= stallNanos;
            out.append(",\n{\"name\":");
            string(out, turn.name());
            out.append(",\"cat\":\"").append(stall ? "turn,stall" : "turn").append("\",\"ph\":\"X\",\"pid\":1,\"tid\":")
                    .append(Integer.toString(track)).append(",\"ts\":").append(micros(turn.startNanos()))
                    .append(",\"dur\":").append(Double.toString((turn.endNanos() - turn.startNanos()) / 1e3))
                    .append(",\"args\":{\"greenlet\":").append(Long.toString(turn.greenletId()))
                    .append(",\"end\":\"").append(turn.end().name().toLowerCase(java.util.Locale.ROOT)).append('"');
            if (turn.waitingOn() != null) {
                out.append(",\"on\":");
                string(out, turn.waitingOn());
            }
            if (turn.wokenBy() != 0) {
                out.append(",\"wokenBy\":").append(Long.toString(turn.wokenBy()));
            }
            out.append("}}");
            out.append(",\n{\"name\":");
            string(out, "ready " + turn.hub().name());
            out.append(",\"ph\":\"C\",\"pid\":1,\"tid\":").append(Integer.toString(track)).append(",\"ts\":")
                    .append(micros(turn.startNanos())).append(",\"args\":{\"ready\":").append(Integer.toString(turn.ready()))
                    .append("}}");
            Turn waker = turn.wokenBy() == 0 ? null : lastTurnOf.get(turn.wokenBy());
            if (waker != null) {
                long id = flowId++;
                // The arrow leaves from inside the waker's last turn (where it made this one ready)...
                long at = Math.max(waker.startNanos(), waker.endNanos() - 1);
                out.append(",\n{\"name\":\"wake\",\"cat\":\"wake\",\"ph\":\"s\",\"id\":").append(Long.toString(id))
                        .append(",\"pid\":1,\"tid\":").append(Integer.toString(tid.get(waker.hub()))).append(",\"ts\":")
                        .append(micros(at)).append('}');
                // ... and lands on this turn's start.
                out.append(",\n{\"name\":\"wake\",\"cat\":\"wake\",\"ph\":\"f\",\"bp\":\"e\",\"id\":").append(Long.toString(id))
                        .append(",\"pid\":1,\"tid\":").append(Integer.toString(track)).append(",\"ts\":")
                        .append(micros(turn.startNanos())).append('}');
            }
            lastTurnOf.put(turn.greenletId(), turn);
        }
        for (Stall s : stalls) {
            out.append(",\n{\"name\":");
            string(out, (s.deadlock() ? "deadlock: " : "stall: ") + s.name());
            out.append(",\"cat\":\"stall\",\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":").append(Integer.toString(tid.get(s.hub())))
                    .append(",\"ts\":").append(micros(s.atNanos())).append(",\"args\":{\"greenlet\":")
                    .append(Long.toString(s.greenletId())).append(",\"site\":");
            string(out, s.site());
            out.append(",\"advice\":");
            string(out, s.advice());
            out.append("}}");
        }
        out.append("]}\n");
    }

    private String micros(long nanos) {
        return Double.toString((nanos - originNanos) / 1e3);
    }

    private static void string(Appendable out, String s) throws IOException {
        if (s == null) {
            out.append("null");
            return;
        }
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c)); // safe inside an HTML page's script too
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * One hub's ring of turns. The hub writes it from its turns, one at a time; readers copy it.
     * Its monitor guards the arrays and counters.
     */
    private final class Track implements TurnListener, HubMonitor.Listener {
        private final int initialLength = Math.min(capacity, 1024);
        final Hub hub;
        final int tid;
        volatile AutoCloseable handle;
        volatile HubMonitor monitor;
        private final AtomicInteger ready = new AtomicInteger(); // made ready minus turns started, as the observer sees them
        // the hub's turn only: the turn in progress
        private Greenlet<?> openGreenlet;
        private long openStart;
        private long openWokenBy;
        private int openReady;
        // guarded by this: the ring, grown by doubling up to the capacity (a quiet hub keeps little)
        private long[] gid = new long[initialLength];
        private long[] start = new long[initialLength];
        private long[] end = new long[initialLength];
        private long[] wokenBy = new long[initialLength];
        private int[] readyAt = new int[initialLength];
        private String[] name = new String[initialLength];
        private String[] on = new String[initialLength];
        private TurnListener.End[] how = new TurnListener.End[initialLength];
        private int next;  // guarded by this: where the next turn goes
        private int size;  // guarded by this
        private final java.util.ArrayDeque<Stall> stallLog = new java.util.ArrayDeque<>(); // guarded by this; at most 256

        /** Doubles the ring (up to the capacity); under this, before it ever wrapped. */
        private void grow() {
            int n = (int) Math.min(capacity, 2L * gid.length);
            gid = java.util.Arrays.copyOf(gid, n);
            start = java.util.Arrays.copyOf(start, n);
            end = java.util.Arrays.copyOf(end, n);
            wokenBy = java.util.Arrays.copyOf(wokenBy, n);
            readyAt = java.util.Arrays.copyOf(readyAt, n);
            name = java.util.Arrays.copyOf(name, n);
            on = java.util.Arrays.copyOf(on, n);
            how = java.util.Arrays.copyOf(how, n);
        }

        Track(Hub hub, int tid) {
            this.hub = hub;
            this.tid = tid;
        }

        @Override
        public void madeReady(Hub h, Greenlet<?> g, Greenlet<?> by) {
            ready.incrementAndGet();
        }

        @Override
        public void turnStarted(Hub h, Greenlet<?> g, long by, long nanoTime) {
            int r = ready.decrementAndGet();
            if (r < 0) {
                ready.compareAndSet(r, 0); // a greenlet made ready before we attached
                r = 0;
            }
            openGreenlet = g;
            openStart = nanoTime;
            openWokenBy = by;
            openReady = r;
        }

        @Override
        public void turnEnded(Hub h, Greenlet<?> g, End e, Object blocker, long nanoTime) {
            if (openGreenlet != g) {
                return; // attached during this turn: its start is unknown
            }
            openGreenlet = null;
            String n = g.name();
            String what = TurnListener.describeBlocker(blocker, true);
            synchronized (this) {
                if (next == gid.length && gid.length < capacity) {
                    grow(); // not wrapped yet: next == size == length
                }
                int i = next;
                gid[i] = g.id();
                start[i] = openStart;
                end[i] = nanoTime;
                wokenBy[i] = openWokenBy;
                readyAt[i] = openReady;
                name[i] = n;
                on[i] = what;
                how[i] = e;
                next = i + 1 == capacity ? 0 : i + 1;
                if (size < capacity) {
                    size++;
                }
            }
        }

        @Override
        public void blocked(HubMonitor.BlockingReport report) {
            Stall s = new Stall(hub, report.greenlet().id(), report.greenlet().name(), System.nanoTime(), report.site(),
                    report.advice(), report.isDeadlock());
            synchronized (this) {
                if (stallLog.size() == 256) {
                    stallLog.pollFirst();
                }
                stallLog.addLast(s);
            }
        }

        synchronized List<Turn> copy(long since) {
            List<Turn> turns = new ArrayList<>(size);
            int first = next - size;
            if (first < 0) {
                first += capacity;
            }
            for (int k = 0; k < size; k++) {
                int i = (first + k) % capacity;
                if (end[i] >= since) {
                    turns.add(new Turn(hub, gid[i], name[i], start[i], end[i], how[i], on[i], wokenBy[i], readyAt[i]));
                }
            }
            return turns;
        }

        synchronized List<Stall> stalls(long since) {
            return stallLog.stream().filter(s -> s.atNanos() >= since).toList();
        }

        void detach() {
            AutoCloseable h = handle;
            if (h != null) {
                try {
                    h.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e); // the hub's handles throw nothing
                }
            }
            HubMonitor m = monitor;
            if (m != null) {
                m.removeListener(this);
            }
        }
    }
}
