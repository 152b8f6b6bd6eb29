package dev.greenlet.diagnostics;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.Hub;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Watches a hub for greenlets that hold the run permit too long without reaching a cooperative
 * point (gevent's {@code monitor_thread} with {@code max_blocking_time}), and reports each such
 * stall once, with the greenlet, how long it had blocked and its stack at that moment.
 *
 * <pre>{@code
 * HubMonitor monitor = hub.startMonitor(Duration.ofMillis(100));   // logs by default
 * monitor.addListener(report -> metrics.increment());
 * }</pre>
 *
 * <p>Listeners get every report. The default one, {@link #LOGGING}, logs a stall that recurs at
 * the same place once in full and then counts its repeats in one line a minute, so a stall on
 * every request does not flood the log.
 *
 * <p>A stall means every other greenlet of the hub waits. Each report carries the advice that
 * fits the stalled call (judged from its stack, thread state and the hub's engine): on the
 * permit engine a {@code Thread.sleep}, an unpatched socket, a lock or pool wait (the carrier
 * engine, {@code Monkey.patchAll()}, or the hub's primitives); in either engine file or pipe
 * I/O, DNS, a process, a native call or a class initialiser ({@link Gevent#offload}); a CPU
 * loop or busy-wait ({@code sleep(0)}); the JDK {@code HttpClient} ({@code Monkey.cooperative}).
 * On the permit engine it also tells a deadlock from a stall: the permit holder waits for a
 * monitor or lock owned by another greenlet of the hub that waits for the permit; the report
 * then names both greenlets with both stacks ({@link BlockingReport#isDeadlock()}).
 *
 * <p>Implementation overview: a daemon platform thread samples the hub's switch counter and
 * permit holder every fifth of {@code maxBlockingTime}. When both are unchanged since a sample
 * at least {@code maxBlockingTime} ago, the holder has not switched since: that is reported once
 * for that switch count. The switch path pays nothing for this beyond the counter it keeps
 * anyway. A stall is seen between {@code maxBlockingTime} and about 1.4 times it; the duration
 * reported is the time observed, a lower bound.
 */
public final class HubMonitor implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(HubMonitor.class.getName());

    /**
     * What a stall report says: the greenlet that holds the hub, for how long, its stack, the
     * advice that fits what it is doing, and, for a deadlock of the permit engine, the other
     * greenlet (which owns the lock the first waits for, and waits for the permit) and its stack.
     *
     * @param deadlockedWith null unless this is a deadlock
     */
    public record BlockingReport(Hub hub, Greenlet<?> greenlet, Duration blockedFor, List<StackTraceElement> stack,
            String advice, Greenlet<?> deadlockedWith, List<StackTraceElement> deadlockedWithStack) {

        /** Whether the hub is deadlocked rather than stalled: it will not recover by itself. */
        public boolean isDeadlock() {
            return deadlockedWith != null;
        }

        /** The report as a log message with the stack(s). */
        public String format() {
            StringBuilder sb = new StringBuilder();
            if (isDeadlock()) {
                sb.append("Deadlock on hub '").append(hub.name()).append("': ").append(greenlet)
                        .append(" holds the run permit while it waits for a lock owned by ").append(deadlockedWith)
                        .append(", which waits for the permit to go on; neither can proceed (for ")
                        .append(blockedFor.toMillis()).append(" ms so far). A lock is held across a cooperative point,"
                                + " which the permit engine cannot make cooperative. Fix: select the carrier engine"
                                + " (Monkey.patchAll(), greenlet.monkey.patch-all=true in the starter), where lock and"
                                + " pool waits are cooperative; or use the hub's own locks (dev.greenlet.lock).\n");
            } else {
                sb.append(greenlet).append(" has blocked hub '").append(hub.name()).append("' (").append(hub.engine()
                        .name().toLowerCase(java.util.Locale.ROOT)).append(" engine) for ")
                        .append(blockedFor.toMillis()).append(" ms without reaching a cooperative point;")
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

    /** Receives stall reports, on the monitor's thread. */
    @FunctionalInterface
    public interface Listener {
        /** Called once per stall; must not block. */
        void blocked(BlockingReport report);
    }

    /**
     * The default listener, shared by every monitor: logs at WARNING each kind of stall (a hub and
     * the top of the stalled stack) once in full, with its stack and advice, and its repeats as
     * one line a minute that counts them; a deadlock always in full.
     */
    public static final Listener LOGGING = new StallLog(Duration.ofMinutes(1), System::nanoTime,
            message -> LOG.log(System.Logger.Level.WARNING, message));

    private final Hub hub;
    private final long maxNanos;
    private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>(List.of(LOGGING));
    private final Thread thread;
    private volatile boolean closed;
    private volatile long stalls;
    private volatile long blockedSince;          // when the current holder was first seen holding the permit; 0: none
    private volatile Greenlet<?> blockedHolder;  // that holder

    /**
     * Starts watching {@code hub}. {@link Hub#startMonitor} is the usual way: it also makes this the
     * hub's {@linkplain Hub#monitor() monitor}, which health and metrics read and shutdown closes.
     *
     * @throws IllegalArgumentException if {@code maxBlockingTime} is not positive
     */
    public HubMonitor(Hub hub, Duration maxBlockingTime) {
        this.hub = Objects.requireNonNull(hub, "hub");
        Objects.requireNonNull(maxBlockingTime, "maxBlockingTime");
        if (maxBlockingTime.isNegative() || maxBlockingTime.isZero()) {
            throw new IllegalArgumentException("maxBlockingTime must be positive, got " + maxBlockingTime);
        }
        this.maxNanos = maxBlockingTime.compareTo(Duration.ofDays(1)) > 0 ? Duration.ofDays(1).toNanos() : maxBlockingTime.toNanos();
        this.thread = Thread.ofPlatform().daemon().name("greenlet-monitor-" + hub.name()).unstarted(this::run);
        thread.start();
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

    /**
     * How long the greenlet holding the permit has held it without switching, as last sampled
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
        thread.interrupt();
    }

    private void run() {
        long periodNanos = Math.max(1_000_000, maxNanos / 5);
        long lastSwitches = -1;
        Greenlet<?> lastOwner = null;
        long since = System.nanoTime();
        boolean reported = false;
        while (!closed) {
            try {
                Thread.sleep(Duration.ofNanos(periodNanos));
            } catch (InterruptedException e) {
                continue; // close() interrupts; the loop condition decides
            }
            long now = System.nanoTime();
            Greenlet<?> owner = hub.runningGreenlet();
            long switches = hub.switchCount();
            if (owner == null || switches != lastSwitches || owner != lastOwner) {
                lastSwitches = switches;
                lastOwner = owner;
                since = now;
                reported = false;
                blockedHolder = owner;
                blockedSince = owner == null ? 0 : now;
            } else if (!reported && now - since >= maxNanos) {
                reported = true;
                stalls++;
                BlockingReport report = diagnose(owner, Duration.ofNanos(now - since));
                for (Listener l : listeners) {
                    try {
                        l.blocked(report);
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.ERROR, "hub monitor listener " + l + " failed", e);
                    }
                }
            }
        }
    }

    private BlockingReport diagnose(Greenlet<?> holder, Duration blockedFor) {
        Thread t = holder.thread();
        List<StackTraceElement> stack = stackOf(holder);
        Thread.State state = t == null ? Thread.State.NEW : t.getState();
        Greenlet<?> partner = hub.engine() == Hub.Engine.PERMIT ? StallDiagnosis.deadlockPartner(hub, holder) : null;
        return new BlockingReport(hub, holder, blockedFor, stack, StallDiagnosis.advice(hub.engine(), state, stack),
                partner, partner == null ? List.of() : stackOf(partner));
    }

    private static List<StackTraceElement> stackOf(Greenlet<?> g) {
        Thread t = g.thread();
        return t == null ? List.of() : List.of(t.getStackTrace());
    }
}
