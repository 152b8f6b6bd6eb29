package dev.greenlet.diagnostics;


import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The monitor's default listener ({@link HubMonitor#LOGGING}): logs each kind of stall once in
 * full and summarises its repeats, so that a stall that recurs on every request (the same call,
 * the same stack) costs one report with its stack and advice, then one line per period that
 * counts the repeats, instead of the full report each time.
 *
 * <p>Implementation overview: stalls are keyed by hub and the top frames of the stalled
 * greenlet's stack (where it stalled, and through which call). The first report of a key is
 * logged in full. Later ones within {@code period} of the last line logged for that key are
 * counted (with the longest); the first one after the period logs one summary line with the
 * count since, and starts a new period. Deadlock reports are always logged in full: each is
 * news. The map is guarded by {@code this}, touched only by monitor threads; it is cleared when
 * it reaches {@link #MAX_KEYS} keys, so a program with endlessly varied stacks logs more rather
 * than keeping more.
 */
final class StallLog implements HubMonitor.Listener {

    /** How many frames from the top of the stack tell one kind of stall from another. */
    static final int KEY_FRAMES = 12;
    static final int MAX_KEYS = 1024;

    private final long periodNanos;
    private final LongSupplier clock;
    private final Consumer<String> sink;
    private final Map<List<Object>, Seen> seen = new HashMap<>(); // guarded by this

    /** What was seen of one kind of stall since its last line. */
    private static final class Seen {
        long loggedAt;      // when its last line (full or summary) was logged
        int repeats;        // stalls counted since, not logged
        long longestMillis; // the longest of those
    }

    StallLog(Duration period, LongSupplier clock, Consumer<String> sink) {
        this.periodNanos = period.toNanos();
        this.clock = clock;
        this.sink = sink;
    }

    @Override
    public void blocked(HubMonitor.BlockingReport report) {
        if (report.isDeadlock()) {
            sink.accept(report.format());
            return;
        }
        List<StackTraceElement> stack = report.stack();
        // The hub by name and identity, not by reference: the map must not keep closed hubs alive.
        List<Object> key = List.of(report.hub().name(), System.identityHashCode(report.hub()),
                List.copyOf(stack.subList(0, Math.min(KEY_FRAMES, stack.size()))));
        long now = clock.getAsLong();
        long blockedMillis = report.blockedFor().toMillis();
        String line = null;
        synchronized (this) {
            Seen s = seen.get(key);
            if (s == null) {
                if (seen.size() >= MAX_KEYS) {
                    seen.clear();
                }
                s = new Seen();
                s.loggedAt = now;
                seen.put(key, s);
                line = report.format();
            } else if (now - s.loggedAt < periodNanos) {
                s.repeats++;
                s.longestMillis = Math.max(s.longestMillis, blockedMillis);
            } else {
                int count = s.repeats + 1;
                long longest = Math.max(s.longestMillis, blockedMillis);
                long sinceSeconds = Duration.ofNanos(now - s.loggedAt).toSeconds();
                s.loggedAt = now;
                s.repeats = 0;
                s.longestMillis = 0;
                line = report.greenlet() + " has blocked hub '" + report.hub().name() + "' for " + blockedMillis
                        + " ms at " + site(stack) + ": " + count
                        + " stall(s) like this in the last " + sinceSeconds + " s, the longest " + longest
                        + " ms; the stack and the advice were logged with the first";
            }
        }
        if (line != null) {
            sink.accept(line);
        }
    }

    /** The first frame outside the JDK (the caller of the stalling call), else the top frame. */
    private static String site(List<StackTraceElement> stack) {
        for (StackTraceElement e : stack) {
            String c = e.getClassName();
            if (!c.startsWith("java.") && !c.startsWith("jdk.") && !c.startsWith("sun.")) {
                return e.toString();
            }
        }
        return stack.isEmpty() ? "an unknown frame" : stack.get(0).toString();
    }
}
