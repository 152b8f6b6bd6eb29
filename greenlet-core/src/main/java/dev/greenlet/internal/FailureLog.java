package dev.greenlet.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A bounded log of failures: within each interval, the first few failures of one kind and place
 * are logged in full, with their stack; the rest are only counted, and one line at the end of the
 * interval says how many there were. A storm of identical failures (a pool timing out for every
 * request, a fan-out of 20,000 calls that all fail) then costs a few stacks and one line per
 * interval instead of a stack per failure, while the count stays exact.
 *
 * <pre>{@code
 * FailureLog failures = new FailureLog(3, Duration.ofSeconds(10), FailureLog.systemLogger("app"));
 * failures.failed(greenlet + " failed with " + error, error);
 * }</pre>
 *
 * <p>A failure's kind and place is its exception class, the frame it was thrown at, and the class
 * of its root cause: the same bug on the same line is one kind however many greenlets hit it, and
 * whatever its message says. The hubs' default error handler ({@code Hub.ErrorHandler.LOGGING})
 * logs through one of these; the Spring starter's handler can too. A metric that counts failures
 * (the starter's {@code greenlet.failed}) counts each one; only the log is summarised.
 *
 * <p>It sits in {@code dev.greenlet.internal}, below the root package, because the hub's default
 * handler uses it; it is shared with the Spring starter and is not part of the API.
 *
 * <p>Differs from gevent, whose hub prints every failure's traceback to stderr: unbounded there,
 * bounded here, because a server's log is read by people and stored by the gigabyte.
 *
 * <p>Implementation overview: the kinds seen in open intervals are kept in a map guarded by
 * {@code this}, at most {@link #MAX_KINDS}; beyond that, new kinds share one "other" entry, so a
 * storm of endlessly varied failures stays bounded too. An interval's summary is written by the
 * next failure of its kind after it ended, or by a daemon thread that this log starts when it
 * first suppresses a failure and that ends once nothing is pending; {@link #flush()} writes every
 * pending summary at once (at shutdown, or in a test). Lines go to the sink outside the lock.
 */
public final class FailureLog {

    /** Where a {@link FailureLog} writes. Called outside any lock; must not throw. */
    @FunctionalInterface
    public interface Sink {
        /**
         * Writes one entry: a failure in full ({@code error} non-null: log it with its stack) or a
         * summary line ({@code error} null).
         */
        void log(String message, Throwable error);
    }

    /** How many kinds it keeps apart at most; beyond that, new kinds are counted together. */
    public static final int MAX_KINDS = 1000;

    private static final List<Object> OTHER = List.of("other kinds");

    private final int firstPerInterval;
    private final long intervalNanos;
    private final LongSupplier clock;
    private final Sink sink;
    private final boolean flushesItself;                                 // real time: a daemon thread writes ended intervals
    private final Map<List<Object>, Kind> kinds = new LinkedHashMap<>(); // guarded by this, oldest first
    private Thread flusher;                                              // guarded by this; null: none running

    /** One kind and place of failure in its current interval. */
    private static final class Kind {
        final long startedAt;
        final String description; // the exception class and where it was thrown
        int logged;               // logged in full in this interval
        long suppressed;          // counted, not logged
        String lastMessage;       // the message of the last one suppressed

        Kind(long startedAt, String description) {
            this.startedAt = startedAt;
            this.description = description;
        }
    }

    /**
     * A log that writes the first {@code firstPerInterval} failures of each kind and place per
     * {@code interval} in full to {@code sink}, and a count of the rest at the end of the interval.
     *
     * @throws IllegalArgumentException if {@code firstPerInterval} is negative or {@code interval} not positive
     */
    public FailureLog(int firstPerInterval, Duration interval, Sink sink) {
        this(firstPerInterval, interval, System::nanoTime, sink, true);
    }

    /**
     * As {@link #FailureLog(int, Duration, Sink)}, reading time from {@code clock} (nanoseconds,
     * as {@code System.nanoTime}): for tests in virtual time. Such a log starts no thread: its
     * summaries are written by later failures and by {@link #flushEnded()} or {@link #flush()}.
     */
    public FailureLog(int firstPerInterval, Duration interval, LongSupplier clock, Sink sink) {
        this(firstPerInterval, interval, Objects.requireNonNull(clock, "clock"), sink, false);
    }

    private FailureLog(int firstPerInterval, Duration interval, LongSupplier clock, Sink sink, boolean flushesItself) {
        if (firstPerInterval < 0) {
            throw new IllegalArgumentException("firstPerInterval must not be negative, got " + firstPerInterval);
        }
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, got " + interval);
        }
        this.firstPerInterval = firstPerInterval;
        this.intervalNanos = interval.toNanos();
        this.clock = clock;
        this.sink = Objects.requireNonNull(sink, "sink");
        this.flushesItself = flushesItself;
    }

    /** A sink that writes to the {@link System.Logger} {@code name} at ERROR (summaries at WARNING). */
    public static Sink systemLogger(String name) {
        System.Logger logger = System.getLogger(name);
        return (message, error) -> {
            if (error != null) {
                logger.log(System.Logger.Level.ERROR, message, error);
            } else {
                logger.log(System.Logger.Level.WARNING, message);
            }
        };
    }

    /**
     * Records one failure: logs it in full with {@code message} and the stack of {@code error} if
     * it is among the first of its kind and place in this interval, else counts it.
     */
    public void failed(String message, Throwable error) {
        Objects.requireNonNull(error, "error");
        List<String[]> summaries = null;
        boolean full = false;
        long now = clock.getAsLong();
        synchronized (this) {
            List<Object> key = key(error);
            Kind k = kinds.get(key);
            if (k != null && now - k.startedAt >= intervalNanos) {
                kinds.remove(key);
                summaries = new ArrayList<>();
                addSummary(summaries, k, now);
                k = null;
            }
            if (k == null) {
                if (kinds.size() >= MAX_KINDS) {
                    key = OTHER;
                    k = kinds.get(OTHER);
                }
                if (k == null) {
                    k = new Kind(now, key == OTHER ? "failures of other kinds (more than " + MAX_KINDS + " kinds)" : describe(error));
                    kinds.put(key, k);
                }
            }
            if (k.logged < firstPerInterval) {
                k.logged++;
                full = true;
            } else {
                k.suppressed++;
                k.lastMessage = message;
                startFlusher();
            }
        }
        if (summaries != null) {
            for (String[] s : summaries) {
                sink.log(s[0], null);
            }
        }
        if (full) {
            sink.log(message, error);
        }
    }

    /** Writes the summary of every interval that has ended. */
    public void flushEnded() {
        flush(false);
    }

    /** Writes the summary of every kind with suppressed failures now, whether or not its interval has ended, and starts afresh. */
    public void flush() {
        flush(true);
    }

    private void flush(boolean all) {
        List<String[]> summaries = new ArrayList<>();
        long now = clock.getAsLong();
        synchronized (this) {
            for (Iterator<Kind> it = kinds.values().iterator(); it.hasNext(); ) {
                Kind k = it.next();
                if (all || now - k.startedAt >= intervalNanos) {
                    it.remove();
                    addSummary(summaries, k, now);
                }
            }
        }
        for (String[] s : summaries) {
            sink.log(s[0], null);
        }
    }

    /** How many failures are counted and not yet summarised: zero once every summary is written. */
    public synchronized long pending() {
        long n = 0;
        for (Kind k : kinds.values()) {
            n += k.suppressed;
        }
        return n;
    }

    private static void addSummary(List<String[]> summaries, Kind k, long now) {
        if (k.suppressed > 0) {
            summaries.add(new String[] {k.suppressed + " more failure(s) like this in the last "
                    + Math.max(1, Duration.ofNanos(now - k.startedAt).toSeconds()) + " s, not logged: " + k.description
                    + " (the first " + k.logged + " were logged with their stack; the last: " + k.lastMessage + ")"});
        }
    }

    private void startFlusher() {
        if (flusher == null && flushesItself) {
            flusher = Thread.ofPlatform().daemon().name("greenlet-failure-log").start(this::flushLoop);
        }
    }

    private void flushLoop() {
        while (true) {
            long wait;
            synchronized (this) {
                long oldest = Long.MAX_VALUE;
                boolean pending = false;
                for (Kind k : kinds.values()) {
                    if (k.suppressed > 0) {
                        pending = true;
                        oldest = Math.min(oldest, k.startedAt);
                    }
                }
                if (!pending) {
                    flusher = null;
                    return;
                }
                wait = oldest + intervalNanos - clock.getAsLong();
            }
            try {
                Thread.sleep(Duration.ofNanos(Math.max(1_000_000, Math.min(wait, intervalNanos))));
            } catch (InterruptedException e) {
                synchronized (this) {
                    flusher = null;
                }
                return;
            }
            flushEnded();
        }
    }

    /** A failure's kind and place: its class, where it was thrown, and its root cause's class. */
    private static List<Object> key(Throwable error) {
        StackTraceElement[] st = error.getStackTrace();
        return List.of(error.getClass().getName(), st.length == 0 ? "" : st[0], rootCause(error).getClass().getName());
    }

    private static String describe(Throwable error) {
        StackTraceElement[] st = error.getStackTrace();
        Throwable root = rootCause(error);
        return error.getClass().getName() + (st.length == 0 ? "" : " at " + st[0])
                + (root != error ? ", caused by " + root.getClass().getName() : "");
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        for (int i = 0; i < 20 && t.getCause() != null && t.getCause() != t; i++) {
            t = t.getCause();
        }
        return t;
    }
}
