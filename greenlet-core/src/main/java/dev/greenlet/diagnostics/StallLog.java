package dev.greenlet.diagnostics;

import java.time.Duration;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The monitor's default listener ({@link HubMonitor#LOGGING}): logs each stall at its true
 * length without flooding the log when the same stall recurs on every request.
 *
 * <ul>
 * <li>The first stall of a kind (a hub and the top frames of the stalled stack) in a window is
 *     logged in full when it starts (stack and advice), and in one line when it ends, with how
 *     long it lasted.
 * <li>Its repeats within the window are counted, not logged, unless one is longer than every stall
 *     of that kind seen in the window: that one is logged in one line when its length passes the
 *     longest (while it lasts), and again when it ends, with its true length. So 3 s, 6 s and 8 s
 *     stalls after a short one each appear.
 * <li>The first stall of the kind after the window logs one line that counts the repeats and
 *     names the longest, and opens a new window.
 * <li>Deadlocks are always logged in full: each is news.
 * </ul>
 *
 * <p>Implementation overview: all state is guarded by {@code this} and touched only by monitor
 * threads. {@code seen} maps a kind to its window; {@code open} maps each stall that started and
 * has not ended (by report identity) to whether its lines are logged. Both are cleared when they
 * reach {@link #MAX_KEYS}, so endlessly varied stacks make the log longer, never the heap. Lines are
 * handed to the sink outside the lock.
 */
final class StallLog implements HubMonitor.Listener {

    /** How many frames from the top of the stack tell one kind of stall from another. */
    static final int KEY_FRAMES = 12;
    static final int MAX_KEYS = 1024;

    private final long periodNanos;
    private final LongSupplier clock;
    private final Consumer<String> sink;
    private final Map<List<Object>, Window> seen = new HashMap<>();                     // guarded by this
    private final Map<HubMonitor.BlockingReport, Open> open = new IdentityHashMap<>();  // guarded by this

    /** One kind of stall in its current window. */
    private static final class Window {
        long startedAt;     // when the window opened (its first stall's full report)
        int repeats;        // stalls counted in the window after the first, not logged in full
        long longestMillis; // the longest stall of the window so far (ended ones, and open ones as far as seen)
    }

    /** A stall that has started and not ended. */
    private static final class Open {
        final Window window;
        boolean logged;     // its start or progress was logged: its end is logged too

        Open(Window window, boolean logged) {
            this.window = window;
            this.logged = logged;
        }
    }

    StallLog(Duration period, LongSupplier clock, Consumer<String> sink) {
        this.periodNanos = period.toNanos();
        this.clock = clock;
        this.sink = sink;
    }

    @Override
    public void blocked(HubMonitor.BlockingReport report) {
        String summary = null;
        String line = null;
        long now = clock.getAsLong();
        synchronized (this) {
            if (open.size() >= MAX_KEYS) {
                open.clear();
            }
            if (report.isDeadlock()) {
                open.put(report, new Open(new Window(), true));
                line = report.format();
            } else {
                List<Object> key = key(report);
                Window w = seen.get(key);
                if (w == null || now - w.startedAt >= periodNanos) {
                    if (w != null && w.repeats > 0) {
                        summary = w.repeats + " more stall(s) like this on hub '" + report.hub().name() + "' at "
                                + report.site() + " in the " + Duration.ofNanos(now - w.startedAt).toSeconds()
                                + " s since it was logged in full, the longest " + w.longestMillis + " ms";
                    }
                    if (w == null && seen.size() >= MAX_KEYS) {
                        seen.clear();
                    }
                    w = new Window();
                    w.startedAt = now;
                    seen.put(key, w);
                    line = report.format();
                    open.put(report, new Open(w, true));
                } else {
                    w.repeats++;
                    open.put(report, new Open(w, false));
                }
                w.longestMillis = Math.max(w.longestMillis, report.blockedFor().toMillis());
            }
        }
        emit(summary);
        emit(line);
    }

    @Override
    public void stillBlocked(HubMonitor.BlockingReport report, Duration soFar) {
        String line = null;
        synchronized (this) {
            Open o = open.get(report);
            if (o != null && !o.logged && soFar.toMillis() > o.window.longestMillis) {
                o.logged = true;
                line = report.greenlet() + " has blocked hub '" + report.hub().name() + "' for " + soFar.toMillis()
                        + " ms so far at " + report.site() + ", longer than any stall like it in the last "
                        + Duration.ofNanos(clock.getAsLong() - o.window.startedAt).toSeconds()
                        + " s (the stack and the advice were logged with the first)";
            }
            if (o != null) {
                o.window.longestMillis = Math.max(o.window.longestMillis, soFar.toMillis());
            }
        }
        emit(line);
    }

    @Override
    public void ended(HubMonitor.StallEnd end) {
        HubMonitor.BlockingReport report = end.start();
        long lasted = end.lasted().toMillis();
        String line = null;
        synchronized (this) {
            Open o = open.remove(report);
            if (o == null) {
                return; // forgotten when the map was cleared
            }
            Window w = o.window;
            if (o.logged || lasted > w.longestMillis) {
                line = "stall of hub '" + report.hub().name() + "' ended: " + report.greenlet() + " held it for "
                        + lasted + " ms at " + report.site()
                        + (o.logged ? "" : ", longer than any stall like it in the last "
                                + Duration.ofNanos(clock.getAsLong() - w.startedAt).toSeconds()
                                + " s (the stack and the advice were logged with the first)");
            }
            w.longestMillis = Math.max(w.longestMillis, lasted);
        }
        emit(line);
    }

    private void emit(String line) {
        if (line != null) {
            sink.accept(line);
        }
    }

    private static List<Object> key(HubMonitor.BlockingReport report) {
        List<StackTraceElement> stack = report.stack();
        // The hub by name and identity, not by reference: the map must not keep closed hubs alive.
        return List.of(report.hub().name(), System.identityHashCode(report.hub()),
                List.copyOf(stack.subList(0, Math.min(KEY_FRAMES, stack.size()))));
    }
}
