package dev.greenlet.diagnostics;

import dev.greenlet.Greenlet;
import dev.greenlet.Hub;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Watches a hub for greenlets that hold it too long without reaching a cooperative point
 * (gevent's {@code monitor_thread} with {@code max_blocking_time}), and reports each such stall
 * when it starts (the greenlet, its stack, the advice that fits) and again when it ends, with how
 * long it really lasted.
 *
 * <pre>{@code
 * HubMonitor monitor = HubMonitor.start(hub, Duration.ofMillis(100));   // logs by default
 * monitor.addListener(report -> metrics.increment());
 * }</pre>
 *
 * <p>Listeners get every stall: {@link Listener#blocked} when it is seen,
 * {@link Listener#stillBlocked} each time its length doubles, {@link Listener#ended} when the
 * holder lets the hub go, with the true length; a JFR event (or a span) can begin on the first and
 * commit on the last. The default listener, {@link #LOGGING}, logs a stall that recurs at the same
 * place once in full and then summarises its repeats, but logs any stall longer than every one like
 * it in the summary window, so a long stall is never hidden behind a short one.
 *
 * <p>A stall means every other greenlet of the hub waits. Each report carries the advice that
 * fits the stalled call (judged from its stack, thread state and the hub's engine, see
 * {@code StallDiagnosis}). On the permit engine it also tells a deadlock from a stall where it can
 * (the lock's owner is a greenlet of the hub that waits for its turn).
 *
 * <p>Class loading is not a stall of the application: a holder whose stack is inside class
 * loading, linking or a static initialiser when the threshold passes is looked at again at each
 * sample, and reported only if it still holds the hub for the threshold after it was last seen in
 * class loading (then with its whole length), or if class loading alone lasts {@link #CLASS_LOADING_LIMIT_FACTOR} times the
 * threshold (at least two seconds): start-up and first use cause no warning, and a real stall in a
 * request's first second is reported as any other ({@link #classLoadingCount()} counts those let
 * pass).
 *
 * <p>Differs from gevent: gevent's monitor reports once per blocking and never its end; here the
 * end and the true length are reported too, and the monitor is a platform thread, not a native one.
 *
 * <p>Implementation overview: a daemon platform thread samples the hub's switch counter and
 * running greenlet every fifth of {@code maxBlockingTime} (every 10 ms at most while a stall is
 * open, to time its end). When both are unchanged since a sample at least {@code maxBlockingTime}
 * ago, the holder has not switched since: that is one stall, opened once for that switch count and
 * ended at the first sample that sees a switch or another holder. Its length is measured from the
 * first sample that saw the switch count to the sample that saw it change, so it is true within
 * one sampling period. Only the monitor thread writes the sampling state; {@link #currentBlocking()}
 * and {@link #isStalled()} read two volatile fields. The switch path pays nothing for this beyond
 * the counter it keeps anyway.
 */
public final class HubMonitor implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(HubMonitor.class.getName());

    /**
     * What a stall report says: the greenlet that holds the hub, for how long, its stack, the
     * advice that fits what it is doing, and, for a deadlock of the permit engine, the other
     * greenlet (which owns the lock the first waits for, and waits for its turn) and its stack.
     *
     * @param deadlockedWith null unless this is a deadlock
     */
    public record BlockingReport(Hub hub, Greenlet<?> greenlet, Duration blockedFor, List<StackTraceElement> stack,
            String advice, Greenlet<?> deadlockedWith, List<StackTraceElement> deadlockedWithStack) {

        /** Whether the hub is deadlocked rather than stalled: it will not recover by itself. */
        public boolean isDeadlock() {
            return deadlockedWith != null;
        }

        /** Where it stalled: the innermost frame of the application on its stack, else its top frame. */
        public String site() {
            StackTraceElement e = Frames.firstApplicationFrame(stack);
            return e != null ? e.toString() : stack.isEmpty() ? "an unknown frame" : stack.get(0).toString();
        }

        /** The report as a log message with the stack(s). */
        public String format() {
            StringBuilder sb = new StringBuilder();
            if (isDeadlock()) {
                sb.append("Deadlock on hub '").append(hub.name()).append("': ").append(greenlet)
                        .append(" holds the turn while it waits for a lock owned by ").append(deadlockedWith)
                        .append(", which waits for its turn to go on; neither can proceed (for ")
                        .append(blockedFor.toMillis()).append(" ms so far). A lock is held across a cooperative point,"
                                + " which the permit engine cannot make cooperative. Fix: select the carrier engine"
                                + " (Monkey.patchAll(), greenlet.monkey.patch-all=true in the starter), where lock and"
                                + " pool waits are cooperative; or use the hub's own locks (dev.greenlet.lock).\n");
            } else {
                sb.append(greenlet).append(" has blocked hub '").append(hub.name()).append("' (").append(hub.engine()
                        .name().toLowerCase(java.util.Locale.ROOT)).append(" engine) for ")
                        .append(blockedFor.toMillis()).append(" ms so far without reaching a cooperative point;")
                        .append(" every other greenlet of the hub waits. ").append(advice).append('\n');
            }
            appendStack(sb, greenlet, stack);
            if (isDeadlock()) {
                appendStack(sb, deadlockedWith, deadlockedWithStack);
            }
            return sb.toString();
        }

        private static void appendStack(StringBuilder sb, Greenlet<?> g, List<StackTraceElement> stack) {
            sb.append("  stack of ").append(g).append(":\n");
            for (StackTraceElement e : stack) {
                sb.append("    at ").append(e).append('\n');
            }
        }
    }

    /**
     * The end of a stall: the report made when it started, and how long it lasted in all (from
     * the first sample that saw the holder's turn to the one that saw it end, so within one
     * sampling period of the truth).
     */
    public record StallEnd(BlockingReport start, Duration lasted) {

        /** The hub that was stalled. */
        public Hub hub() {
            return start.hub();
        }

        /** The greenlet that held the hub. */
        public Greenlet<?> greenlet() {
            return start.greenlet();
        }
    }

    /**
     * Receives stalls, on the monitor's thread. Every method must return quickly and not block:
     * the monitor samples the hub between calls.
     */
    @FunctionalInterface
    public interface Listener {
        /** A stall has started: called once per stall, when it reached the threshold. */
        void blocked(BlockingReport report);

        /**
         * The stall {@code report} still holds the hub after {@code soFar}: called when its length
         * reaches 2, 4, 8... times the threshold. Does nothing by default.
         */
        default void stillBlocked(BlockingReport report, Duration soFar) {
        }

        /** The stall has ended: called once for each stall {@link #blocked} was called for. Does nothing by default. */
        default void ended(StallEnd end) {
        }
    }

    /** Class loading that holds the hub this many times the threshold (and at least 2 s) is reported as a stall. */
    public static final int CLASS_LOADING_LIMIT_FACTOR = 10;

    /**
     * The default listener, shared by every monitor: logs at WARNING each kind of stall (a hub and
     * the top of the stalled stack) once in full, with its stack and advice, and its repeats as
     * one line a minute that counts them; a deadlock always in full; the end of each stall it
     * logged, and any stall longer than all like it in that minute, with its true length.
     */
    public static final Listener LOGGING = new StallLog(Duration.ofMinutes(1), System::nanoTime,
            message -> LOG.log(System.Logger.Level.WARNING, message));

    private final Hub hub;
    private final long maxNanos;
    private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>(List.of(LOGGING));
    private final Thread thread;
    private volatile boolean closed;
    private volatile long stalls;
    private volatile long classLoading;
    private volatile long blockedSince;          // when the current holder was first seen holding the hub; 0: none
    private volatile Greenlet<?> blockedHolder;  // that holder

    /** The monitor watching each hub: what {@link #of(Hub)} answers. An entry leaves when its monitor ends. */
    private static final java.util.concurrent.ConcurrentHashMap<Hub, HubMonitor> WATCHING = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Starts a monitor that reports greenlets holding {@code hub} longer than
     * {@code maxBlockingTime} without a cooperative point (gevent's {@code monitor_thread}, off
     * until started), and makes it the hub's monitor, which {@link #of(Hub)} returns (health and
     * metrics read it). Replaces a monitor started before on that hub. It ends by itself when the
     * hub closes, or with {@link #close()}.
     *
     * @throws IllegalArgumentException if {@code maxBlockingTime} is not positive
     */
    public static HubMonitor start(Hub hub, Duration maxBlockingTime) {
        HubMonitor m = new HubMonitor(hub, maxBlockingTime);
        HubMonitor old = WATCHING.put(hub, m);
        if (old != null) {
            old.close();
        }
        m.thread.start();
        return m;
    }

    /** The monitor watching {@code hub}, or null if none runs (never started, closed, or the hub closed). */
    public static HubMonitor of(Hub hub) {
        return WATCHING.get(hub);
    }

    private HubMonitor(Hub hub, Duration maxBlockingTime) {
        this.hub = Objects.requireNonNull(hub, "hub");
        Objects.requireNonNull(maxBlockingTime, "maxBlockingTime");
        if (maxBlockingTime.isNegative() || maxBlockingTime.isZero()) {
            throw new IllegalArgumentException("maxBlockingTime must be positive, got " + maxBlockingTime);
        }
        this.maxNanos = maxBlockingTime.compareTo(Duration.ofDays(1)) > 0 ? Duration.ofDays(1).toNanos() : maxBlockingTime.toNanos();
        this.thread = Thread.ofPlatform().daemon().name("greenlet-monitor-" + hub.name()).unstarted(this::run);
    }

    /** Adds a listener (the logging one is there from the start). */
    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener, for example {@link #LOGGING}. */
    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    /** How many stalls it has reported. */
    public long stallCount() {
        return stalls;
    }

    /** How many times it let a hub held by class loading or a static initialiser pass unreported (see the class comment). */
    public long classLoadingCount() {
        return classLoading;
    }

    /**
     * How long the greenlet holding the hub has held it without switching, as last sampled
     * (a lower bound, up to a fifth of {@code maxBlockingTime} stale); zero when the hub is idle
     * or switching. The Actuator health indicator reads it.
     */
    public Duration currentBlocking() {
        long since = blockedSince;
        Greenlet<?> holder = blockedHolder;
        if (since == 0 || holder == null || hub.runningGreenlet() != holder) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(System.nanoTime() - since);
    }

    /**
     * Whether the hub is stalled now: one greenlet has held it at least {@code maxBlockingTime}
     * without a cooperative point, as last sampled. Cheap (a few volatile reads) and safe from any
     * thread: the starter reads it to place new work on a hub that is not stalled.
     */
    public boolean isStalled() {
        return currentBlocking().toNanos() >= maxNanos;
    }

    /**
     * How long the hub has been stalled: {@link #currentBlocking()} once it reached
     * {@code maxBlockingTime}, else {@link Duration#ZERO}. Cheap and thread-safe, as {@link #isStalled()}.
     */
    public Duration stalledFor() {
        Duration d = currentBlocking();
        return d.toNanos() >= maxNanos ? d : Duration.ZERO;
    }

    /** The greenlet {@link #currentBlocking()} is about, or null. */
    public Greenlet<?> currentHolder() {
        return blockedSince == 0 ? null : blockedHolder;
    }

    /** The stall threshold. */
    public Duration maxBlockingTime() {
        return Duration.ofNanos(maxNanos);
    }

    /** Stops watching. */
    @Override
    public void close() {
        closed = true;
        WATCHING.remove(hub, this);
        thread.interrupt();
    }

    private void run() {
        long periodNanos = Math.max(1_000_000, maxNanos / 5);
        long openPeriodNanos = Math.min(periodNanos, 10_000_000);
        long classLoadingLimit = Math.max(CLASS_LOADING_LIMIT_FACTOR * maxNanos, 2_000_000_000L);
        long lastSwitches = -1;
        Greenlet<?> lastOwner = null;
        long since = System.nanoTime();
        BlockingReport open = null;   // the stall reported and not yet ended
        long nextMilestone = 0;       // when open's length next doubles
        boolean loadingSeen = false;  // this turn was seen in class loading past the threshold
        long loadingLastSeen = 0;     // when it was last seen there
        while (!closed) {
            if (hub.isClosed() && hub.liveCount() == 0) {
                // Ends once the hub's shutdown is over, not when it begins: a stall during the
                // shutdown's grace (the hub a shutdown waits for) is still reported, and so is a
                // greenlet the shutdown abandoned while it holds the hub.
                close();
                break;
            }
            try {
                Thread.sleep(Duration.ofNanos(open != null || loadingSeen ? openPeriodNanos : periodNanos));
            } catch (InterruptedException e) {
                continue; // close() interrupts; the loop condition decides
            }
            long now = System.nanoTime();
            Greenlet<?> owner = hub.runningGreenlet();
            long switches = hub.switchCount();
            if (owner == null || switches != lastSwitches || owner != lastOwner) {
                if (open != null) {
                    StallEnd end = new StallEnd(open, Duration.ofNanos(now - since));
                    open = null;
                    notifyListeners(l -> l.ended(end));
                }
                loadingSeen = false;
                loadingLastSeen = 0;
                lastSwitches = switches;
                lastOwner = owner;
                since = now;
                blockedHolder = owner;
                blockedSince = owner == null ? 0 : now;
                continue;
            }
            long held = now - since;
            if (open != null) {
                if (held >= nextMilestone) {
                    nextMilestone *= 2;
                    BlockingReport report = open;
                    Duration soFar = Duration.ofNanos(held);
                    notifyListeners(l -> l.stillBlocked(report, soFar));
                }
            } else if (held >= maxNanos) {
                List<StackTraceElement> stack = stackOf(owner);
                if (held < classLoadingLimit && StallDiagnosis.isClassLoading(stack)) {
                    if (!loadingSeen) {
                        loadingSeen = true;
                        classLoading++;
                        LOG.log(System.Logger.Level.DEBUG, () -> owner + " holds hub '" + hub.name()
                                + "' in class loading or a static initialiser; not reported unless it lasts");
                    }
                    loadingLastSeen = now;
                    continue;
                }
                if (loadingSeen && now - loadingLastSeen < maxNanos) {
                    continue; // out of class loading, but not yet for a threshold: the turn may be ending
                }
                stalls++;
                open = diagnose(owner, Duration.ofNanos(held), stack);
                nextMilestone = 2 * Math.max(held, maxNanos);
                BlockingReport report = open;
                StallEvents.emit(report); // JFR: dev.greenlet.Stall or dev.greenlet.Deadlock, if a recording wants it
                notifyListeners(l -> l.blocked(report));
            }
        }
        if (open != null) { // every stall that began also ends for the listeners, even when the monitor stops first
            StallEnd end = new StallEnd(open, Duration.ofNanos(System.nanoTime() - since));
            notifyListeners(l -> l.ended(end));
        }
    }

    private void notifyListeners(java.util.function.Consumer<Listener> call) {
        for (Listener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "hub monitor listener " + l + " failed", e);
            }
        }
    }

    private BlockingReport diagnose(Greenlet<?> holder, Duration blockedFor, List<StackTraceElement> stack) {
        Thread t = holder.thread();
        Thread.State state = t == null ? Thread.State.NEW : t.getState();
        Greenlet<?> partner = !hub.parksCooperatively() ? StallDiagnosis.deadlockPartner(hub, holder) : null;
        return new BlockingReport(hub, holder, blockedFor, stack, StallDiagnosis.advice(hub, holder, state, stack),
                partner, partner == null ? List.of() : stackOf(partner));
    }

    private static List<StackTraceElement> stackOf(Greenlet<?> g) {
        Thread t = g.thread();
        return t == null ? List.of() : List.of(t.getStackTrace());
    }
}
