package dev.greenlet.diagnostics;

import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import dev.greenlet.TurnListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Who holds the hub: per greenlet name (a request's method and path template, a
 * {@code @Greenlet} method, a spawned greenlet's name), the time its greenlets held their hubs,
 * their turns and the longest turn, over the last minute, summed over the hubs it is attached
 * to.
 *
 * <p>How it works: a {@link TurnListener} per hub times each turn (on the hub's turn,
 * docs/ARCHITECTURE.md, section "The turn observer") and adds it to its name's entry: sixty
 * one-second buckets, a sliding window, each entry guarded by its own monitor (turns of several
 * hubs may add to one name at once). Cardinality is bounded: at most {@code maxNames} names are
 * kept; turns of any further name count under {@value #OTHER}, and greenlets with no name of
 * their own ("Greenlet-&lt;id&gt;") under {@value #UNNAMED}.
 *
 * <p>gevent has no such statistic; its monitor thread reports only a hub blocked past a
 * threshold, not who uses it in between.
 */
public final class HubHolders implements AutoCloseable {

    /** The name that counts the turns of names beyond the cap. */
    public static final String OTHER = "(other)";
    /** The name that counts the turns of greenlets with no name of their own. */
    public static final String UNNAMED = "(unnamed)";
    /** How long the statistics look back. */
    public static final Duration WINDOW = Duration.ofMinutes(1);

    private static final int BUCKETS = 60;
    private static final long BUCKET_NANOS = 1_000_000_000L;
    private static final Pattern DEFAULT_NAME = Pattern.compile("Greenlet-\\d+");

    private final int maxNames;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Entry> byName = new ConcurrentHashMap<>();
    private final List<AutoCloseable> handles = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile java.util.function.Consumer<String> onNewName = name -> { };

    /**
     * @param maxNames the most distinct names kept (besides {@value #OTHER} and {@value #UNNAMED})
     * @throws IllegalArgumentException if {@code maxNames} is below 1
     */
    public HubHolders(int maxNames) {
        this(maxNames, System::nanoTime);
    }

    HubHolders(int maxNames, LongSupplier clock) {
        if (maxNames < 1) {
            throw new IllegalArgumentException("maxNames must be at least 1, got " + maxNames);
        }
        this.maxNames = maxNames;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Starts counting the turns of {@code hub}. Returns this. */
    public HubHolders attach(Hub hub) {
        handles.add(hub.observeTurns(new Timer()));
        return this;
    }

    /**
     * Calls {@code callback} with each name the first time it is counted (at most
     * {@code maxNames} + 2 times), and now with each name counted so far; for a metrics binder
     * that registers a meter per name. It runs on the hub's turn: it must be quick and not block.
     */
    public HubHolders onNewName(java.util.function.Consumer<String> callback) {
        this.onNewName = Objects.requireNonNull(callback, "callback");
        byName.keySet().forEach(callback);
        return this;
    }

    /** Stops counting; what was counted can still be read. */
    @Override
    public void close() {
        for (AutoCloseable h : handles) {
            try {
                h.close();
            } catch (Exception e) {
                throw new IllegalStateException(e); // the hub's handles throw nothing
            }
        }
        handles.clear();
    }

    /** One name's share of the hubs over the last minute. */
    public record Holder(String name, Duration held, long turns, Duration longestTurn) {
    }

    /** The names that held a hub in the last minute, the longest held first; at most {@code limit}. */
    public List<Holder> top(int limit) {
        long now = clock.getAsLong();
        List<Holder> all = new ArrayList<>();
        byName.forEach((name, e) -> {
            Holder h = e.sum(name, now);
            if (h.turns() > 0) {
                all.add(h);
            }
        });
        all.sort(Comparator.comparing(Holder::held).reversed().thenComparing(Holder::name));
        return all.size() > limit ? all.subList(0, limit) : all;
    }

    /** The names counted so far (at most {@code maxNames} + 2), whether or not they held a hub in the last minute. */
    public List<String> names() {
        return new ArrayList<>(byName.keySet());
    }

    /** {@code name}'s share of the hubs over the last minute; zeros if it did not hold one. */
    public Holder of(String name) {
        Entry e = byName.get(name);
        return e == null ? new Holder(name, Duration.ZERO, 0, Duration.ZERO) : e.sum(name, clock.getAsLong());
    }

    void add(String greenletName, long startNanos, long endNanos) {
        String name = DEFAULT_NAME.matcher(greenletName).matches() ? UNNAMED : greenletName;
        Entry e = byName.get(name);
        if (e == null) {
            if (byName.size() >= maxNames && !name.equals(UNNAMED)) {
                name = OTHER;
            }
            Entry created = new Entry();
            e = byName.putIfAbsent(name, created);
            if (e == null) {
                e = created;
                try {
                    onNewName.accept(name);
                } catch (RuntimeException ex) {
                    System.getLogger(HubHolders.class.getName()).log(System.Logger.Level.ERROR,
                            "the new-name callback of HubHolders failed for '" + name + "'", ex);
                }
            }
        }
        e.add(endNanos, endNanos - startNanos);
    }

    /** Sixty one-second buckets of one name; its monitor guards them. */
    private static final class Entry {
        private final long[] second = new long[BUCKETS]; // which second (nanoTime / 1 s) the bucket holds
        private final long[] held = new long[BUCKETS];
        private final long[] turns = new long[BUCKETS];
        private final long[] longest = new long[BUCKETS];

        synchronized void add(long at, long nanos) {
            long s = Math.floorDiv(at, BUCKET_NANOS);
            int i = (int) Math.floorMod(s, BUCKETS);
            if (second[i] != s) {
                second[i] = s;
                held[i] = 0;
                turns[i] = 0;
                longest[i] = 0;
            }
            held[i] += nanos;
            turns[i]++;
            longest[i] = Math.max(longest[i], nanos);
        }

        synchronized Holder sum(String name, long now) {
            long s = Math.floorDiv(now, BUCKET_NANOS);
            long h = 0;
            long t = 0;
            long l = 0;
            for (int i = 0; i < BUCKETS; i++) {
                if (turns[i] > 0 && second[i] > s - BUCKETS && second[i] <= s) {
                    h += held[i];
                    t += turns[i];
                    l = Math.max(l, longest[i]);
                }
            }
            return new Holder(name, Duration.ofNanos(h), t, Duration.ofNanos(l));
        }
    }

    /** One hub's turn timer: on the hub's turn, one turn at a time. */
    private final class Timer implements TurnListener {
        private Greenlet<?> open;  // the hub's turn only
        private long openStart;

        @Override
        public void turnStarted(Hub hub, Greenlet<?> g, long wokenBy, long nanoTime) {
            open = g;
            openStart = nanoTime;
        }

        @Override
        public void turnEnded(Hub hub, Greenlet<?> g, End how, Object blocker, long nanoTime) {
            if (open != g) {
                return; // attached during this turn
            }
            open = null;
            add(g.name(), openStart, nanoTime);
        }
    }
}
