package dev.greenlet.spring;

import dev.greenlet.Greenlet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Logs greenlet failures without flooding the log: of the failures of one kind and place (the
 * exception's class and its first stack frame), the first
 * {@code fullPerInterval} in each interval are logged in full, with their stack; the rest are
 * only counted, and one line per kind and place sums them up when its interval ends (at the next
 * failure or {@link #flush()}, whichever comes first). Counting the failures themselves is not
 * its business: the hubs count each one ({@code greenlet.failed}) whether logged or not.
 *
 * <p>How it works: one record per kind and place, in a concurrent map, holding the interval's
 * start and two counters; whoever reports a failure after the interval ended swaps the record
 * for a fresh one and writes the previous one's summary. The map is bounded: past
 * {@link #MAX_KINDS} kinds, failures of new kinds share one record. Thread-safe; no lock is held
 * while logging.
 *
 * <p>The starter side of failure summarising, behind this small class so that it can switch to
 * a summariser the core may provide.
 */
final class FailureLog {

    /** Most kinds and places tracked at once; beyond this, new ones share one "other" record. */
    static final int MAX_KINDS = 1_000;

    /** What is logged: a line, and the failure whose stack goes with it (null: the line only). */
    record Entry(String message, Throwable error) {
    }

    private record Key(String exception, String frame) {
        static final Key OTHER = new Key("(other kinds)", "");

        String describe() {
            return exception + (frame.isEmpty() ? "" : " at " + frame);
        }
    }

    private static final class Window {
        final long start;
        final AtomicLong seen = new AtomicLong();
        volatile String lastGreenlet = "";

        Window(long start) {
            this.start = start;
        }
    }

    private final int fullPerInterval;
    private final long intervalNanos;
    private final LongSupplier clock;
    private final Consumer<Entry> sink;
    private final Map<Key, Window> windows = new ConcurrentHashMap<>();

    /**
     * @param fullPerInterval failures of one kind and place logged in full per interval
     * @param interval        the summary interval
     * @param clock           nanoseconds, as {@link System#nanoTime()}
     * @param sink            writes one log entry
     */
    FailureLog(int fullPerInterval, Duration interval, LongSupplier clock, Consumer<Entry> sink) {
        if (fullPerInterval < 1) {
            throw new IllegalArgumentException("fullPerInterval must be at least 1, got " + fullPerInterval);
        }
        this.fullPerInterval = fullPerInterval;
        this.intervalNanos = interval.toNanos();
        this.clock = clock;
        this.sink = sink;
    }

    /** Logs {@code greenlet}'s failure, in full or counted into its kind's summary. */
    void failed(Greenlet<?> greenlet, Throwable error) {
        Key key = keyOf(greenlet, error);
        long now = clock.getAsLong();
        Window w = windows.get(key);
        if (w == null && windows.size() >= MAX_KINDS) {
            key = Key.OTHER;
            w = windows.get(key);
        }
        if (w == null || now - w.start >= intervalNanos) {
            Window fresh = new Window(now);
            Window previous = w == null ? windows.putIfAbsent(key, fresh) : (windows.replace(key, w, fresh) ? w : windows.get(key));
            if (previous == null || previous == w) {
                if (previous != null) {
                    summarise(key, previous, now);
                }
                w = fresh;
            } else {
                w = previous; // another thread started the new interval first
            }
        }
        long n = w.seen.incrementAndGet();
        w.lastGreenlet = greenlet.name();
        if (n <= fullPerInterval) {
            String more = n == fullPerInterval ? " (further failures like this are counted, and summed up every "
                    + Duration.ofNanos(intervalNanos).toSeconds() + " s)" : "";
            sink.accept(new Entry(greenlet + " failed with " + error + more, error));
        }
    }

    /** Writes the summary of every interval that holds counted failures, and starts them afresh. */
    void flush() {
        long now = clock.getAsLong();
        List<Map.Entry<Key, Window>> all = new ArrayList<>(windows.entrySet());
        for (Map.Entry<Key, Window> e : all) {
            if (windows.remove(e.getKey(), e.getValue())) {
                summarise(e.getKey(), e.getValue(), now);
            }
        }
    }

    private void summarise(Key key, Window w, long now) {
        long suppressed = w.seen.get() - fullPerInterval;
        if (suppressed > 0) {
            sink.accept(new Entry(suppressed + " more failure(s) of " + key.describe() + " (the last in '"
                    + w.lastGreenlet + "') in the last "
                    + Duration.ofNanos(now - w.start).toMillis() + " ms, beyond the " + fullPerInterval
                    + " logged in full (each is counted in greenlet.failed)", null));
        }
    }

    private static Key keyOf(Greenlet<?> greenlet, Throwable error) {
        StackTraceElement[] stack = error.getStackTrace();
        String frame = stack.length == 0 ? "" : stack[0].toString();
        return new Key(error.getClass().getName(), frame);
    }
}
