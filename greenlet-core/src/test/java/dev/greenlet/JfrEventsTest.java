package dev.greenlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.diagnostics.HubMonitor;
import dev.greenlet.event.Event;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Configuration;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;

/** The JFR events, in a real recording made with greenlet.jfc: present with their fields, and absent (no observer) without one. */
class JfrEventsTest extends HubTestSupport {

    private static Configuration greenletJfc() throws Exception {
        try (Reader r = new InputStreamReader(JfrEventsTest.class.getResourceAsStream("/greenlet.jfc"), StandardCharsets.UTF_8)) {
            return Configuration.create(r);
        }
    }

    @Test
    void aRecordingWithGreenletJfcHoldsTurnsSpawnsKillsStallsAndSummaries() throws Exception {
        assertThat(hub.engine.observer).as("no recording enables the events: the hub has no observer").isNull();
        Map<String, List<RecordedEvent>> seen = new ConcurrentHashMap<>();
        CountDownLatch summary = new CountDownLatch(1);
        CountDownLatch stall = new CountDownLatch(1);
        CountDownLatch lastTurn = new CountDownLatch(1);
        long[] joined = new long[1]; // the id of the greenlet jfr-joiner joins
        try (RecordingStream rs = new RecordingStream(greenletJfc())) {
            rs.enable("dev.greenlet.HubSummary").withPeriod(Duration.ofMillis(100));
            for (String name : List.of("Turn", "Spawn", "Kill", "Stall", "HubSummary")) {
                rs.onEvent("dev.greenlet." + name, e -> {
                    seen.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>()).add(e);
                    if (name.equals("HubSummary") && hub.name().equals(e.getString("hub"))) {
                        summary.countDown();
                    }
                    if (name.equals("Stall")) {
                        stall.countDown();
                    }
                    if (name.equals("Turn") && "last".equals(e.getString("greenletName"))) {
                        lastTurn.countDown();
                    }
                });
            }
            rs.startAsync();
            Parked.until("a running recording attaches the JFR observer", () -> hub.engine.observer != null);

            Event go = new Event();
            Greenlet<?> waiter = new Greenlet<>(hub, "jfr-waiter", () -> go.await()).start();
            Greenlet<?> setter = new Greenlet<>(hub, "jfr-setter", () -> {
                Gevent.sleep(0);
                go.set();
                return null;
            }).start();
            Greenlet<?> victim = new Greenlet<>(hub, "jfr-victim", () -> {
                Gevent.sleep(60);
                return null;
            }).start();
            Greenlet<Long> joiner = new Greenlet<>(hub, "jfr-joiner", () -> {
                Greenlet<Void> child = Gevent.spawn(() -> Gevent.sleep(0));
                child.join();
                return child.id();
            }).start();
            waiter.join();
            setter.join();
            joined[0] = joiner.get();
            Parked.awaitParked(victim);
            victim.kill();
            try (HubMonitor monitor = HubMonitor.start(hub, Duration.ofMillis(20))) {
                monitor.removeListener(HubMonitor.LOGGING);
                Greenlet<?> hog = new Greenlet<>(hub, "jfr-hog", () -> {
                    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MEDIUM_MS);
                    while (System.nanoTime() < end) {
                        Thread.onSpinWait(); // holds the hub without a cooperative point
                    }
                    return null;
                }).start();
                hog.join();
            }
            new Greenlet<>(hub, "last", () -> null).start().join();
            assertThat(lastTurn.await(Parked.BOUND.toSeconds(), TimeUnit.SECONDS)).as("the last turn event arrived").isTrue();
            assertThat(summary.await(Parked.BOUND.toSeconds(), TimeUnit.SECONDS)).as("a hub summary arrived").isTrue();
            assertThat(stall.await(Parked.BOUND.toSeconds(), TimeUnit.SECONDS)).as("the stall event arrived").isTrue();
        }
        List<RecordedEvent> turns = seen.get("Turn").stream().filter(e -> hub.name().equals(e.getString("hub"))).toList();
        assertThat(turns).anySatisfy(e -> {
            assertThat(e.getString("greenletName")).isEqualTo("jfr-waiter");
            assertThat(e.getString("end")).isEqualTo("wait");
            assertThat(e.getString("waitingOn")).isEqualTo(Event.class.getName());
        });
        assertThat(turns).anySatisfy(e -> {
            assertThat(e.getString("greenletName")).isEqualTo("jfr-joiner");
            assertThat(e.getString("end")).isEqualTo("wait");
            assertThat(e.getString("waitingOn")).isEqualTo("join");
            assertThat(e.getLong("waitingOnGreenlet")).as("the joined greenlet's id").isEqualTo(joined[0]);
        });
        assertThat(turns).anySatisfy(e -> {
            assertThat(e.getString("greenletName")).isEqualTo("jfr-setter");
            assertThat(e.getString("end")).isEqualTo("yield");
        });
        assertThat(turns).anySatisfy(e -> {
            assertThat(e.getString("greenletName")).isEqualTo("jfr-waiter");
            assertThat(e.getString("end")).isEqualTo("exit");
            assertThat(e.getLong("wokenBy")).as("woken by the setter").isNotZero();
        });
        assertThat(turns).anySatisfy(e -> {
            assertThat(e.getString("greenletName")).isEqualTo("jfr-hog");
            assertThat(e.getDuration("turnDuration").toMillis()).isGreaterThanOrEqualTo(MEDIUM_MS);
            assertThat(e.getLong("startNanos")).as("the turn started before it was written").isPositive();
        });
        for (int i = 1; i < turns.size(); i++) {
            long before = turns.get(i - 1).getLong("startNanos") + turns.get(i - 1).getLong("turnDuration");
            assertThat(turns.get(i).getLong("startNanos")).as("one hub's turns, written in order, never overlap")
                    .isGreaterThanOrEqualTo(before);
        }
        assertThat(seen.get("Spawn")).anySatisfy(e -> assertThat(e.getString("greenletName")).isEqualTo("jfr-victim"));
        // a spawn by a greenlet: on the carrier engine committed from the carrier, after the
        // spawner's turn event, which it must not make JFR drop (the jfr-joiner turn above)
        assertThat(seen.get("Spawn")).anySatisfy(e -> assertThat(e.getLong("greenletId")).isEqualTo(joined[0]));
        assertThat(seen.get("Kill")).anySatisfy(e -> assertThat(e.getString("greenletName")).isEqualTo("jfr-victim"));
        assertThat(seen.get("Stall")).anySatisfy(e -> {
            assertThat(e.getString("greenletName")).isEqualTo("jfr-hog");
            assertThat(e.getString("stack")).contains("JfrEventsTest");
        });
        assertThat(seen.get("HubSummary")).anySatisfy(e -> {
            assertThat(e.getString("hub")).isEqualTo(hub.name());
            assertThat(e.getLong("switches")).isPositive();
            assertThat(e.getLong("turnsDropped")).isZero();
        });
        Parked.until("the recording's end detaches the JFR observer", () -> hub.engine.observer == null);
    }

    /** turnThreshold keeps the long turns only (JFR's own threshold cannot: the events are written off the hub). */
    @Test
    void turnThresholdKeepsOnlyTheLongTurns() throws Exception {
        List<RecordedEvent> turns = new CopyOnWriteArrayList<>();
        CountDownLatch last = new CountDownLatch(1);
        try (RecordingStream rs = new RecordingStream(greenletJfc())) {
            rs.enable("dev.greenlet.Turn").with("turnThreshold", MEDIUM_MS / 2 + " ms");
            rs.onEvent("dev.greenlet.Turn", e -> {
                if (hub.name().equals(e.getString("hub"))) {
                    turns.add(e);
                    if ("long-last".equals(e.getString("greenletName"))) {
                        last.countDown();
                    }
                }
            });
            rs.startAsync();
            Parked.until("a running recording attaches the JFR observer", () -> hub.engine.observer != null);
            hub.run(() -> {
                for (int i = 0; i < 20; i++) {
                    Gevent.sleep(0); // short turns
                }
                return null;
            });
            new Greenlet<>(hub, "long-last", () -> {
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MEDIUM_MS);
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                return null;
            }).start().join();
            assertThat(last.await(Parked.BOUND.toSeconds(), TimeUnit.SECONDS)).as("the long turn was written").isTrue();
        }
        assertThat(turns).isNotEmpty().allSatisfy(e ->
                assertThat(e.getDuration("turnDuration").toMillis()).isGreaterThanOrEqualTo(MEDIUM_MS / 2));
    }

    /**
     * Through JFR: 300,000 turns recorded as fast as one thread can, while the writer thread
     * commits them. Each turn is in the recording once, or counted as dropped.
     */
    @Test
    void theWriterCommitsEveryRecordedTurnOnceOrCountsItDropped() throws Exception {
        int n = 300_000;
        Greenlet<?> g = new Greenlet<>(hub, "ring", () -> null);
        java.util.BitSet seen = new java.util.BitSet(n);
        java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
        long[] duplicates = {0};
        CountDownLatch end = new CountDownLatch(1);
        try (RecordingStream rs = new RecordingStream(greenletJfc())) {
            rs.onEvent("dev.greenlet.Turn", e -> {
                if (!hub.name().equals(e.getString("hub")) || !"ring".equals(e.getString("greenletName"))) {
                    return;
                }
                long start = e.getLong("startNanos");
                if (start == n) {
                    end.countDown();
                    return;
                }
                if (seen.get((int) start)) {
                    duplicates[0]++;
                }
                seen.set((int) start);
                received.incrementAndGet();
            });
            rs.startAsync();
            Parked.until("a running recording attaches the JFR observer", () -> hub.engine.observer != null);
            Parked.until("the hub has its recorder", () -> JfrEvents.Writer.of(hub) != null);
            JfrEvents.Recorder r = JfrEvents.Writer.of(hub);
            // nothing else runs on the hub: this thread plays its turns, as fast as it can
            for (long i = 0; i < n; i++) {
                r.turnStarted(hub, g, 0, i);
                r.turnEnded(hub, g, TurnListener.End.YIELD, null, i);
            }
            long dropped = r.dropped();
            JfrEvents.Writer.flush(); // now the writer has room for the end marker
            r.turnStarted(hub, g, 0, n);
            r.turnEnded(hub, g, TurnListener.End.EXIT, null, n);
            assertThat(r.dropped()).as("the marker was not dropped after a flush").isEqualTo(dropped);
            assertThat(end.await(Parked.BOUND.toSeconds(), TimeUnit.SECONDS)).as("the end marker arrived").isTrue();
            // (in file order, the flush's events on this thread may come after the writer's marker)
            Parked.until("every turn written or counted as dropped", () -> received.get() + dropped >= n);
            assertThat(duplicates[0]).as("turns written twice").isZero();
            assertThat(received.get() + dropped).as("every turn written or counted as dropped").isEqualTo(n);
        }
    }

    /**
     * The recorder's two sides alone, hard, without JFR: a producer records turns as fast as it
     * can while a consumer thread commits them at random moments. Every turn is committed
     * exactly once and in order, or counted as dropped; no block is lost (after the consumer
     * catches up, the producer records again without drops).
     */
    @Test
    void theRecorderHandsEveryTurnOverOnceAndInOrderOrCountsItDropped() throws Exception {
        JfrEvents.Recorder r = new JfrEvents.Recorder(hub);
        int rounds = 60;
        int perRound = 50_000;
        long[] next = {0};
        long[] misordered = {0};
        java.util.concurrent.atomic.AtomicLong committed = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.function.ObjIntConsumer<JfrEvents.Block> check = (b, i) -> {
            if (b.start[i] < next[0]) {
                misordered[0]++;
            }
            next[0] = b.start[i] + 1;
            committed.incrementAndGet();
        };
        // two consumers taking turns under one lock, as the writer thread and a flush do, each pass
        // either all that is recorded or, as the writer's own passes, the block in progress only if slow
        Object lock = new Object();
        Runnable consume = () -> {
            java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
            while (!done.get()) {
                synchronized (lock) {
                    r.commitRecorded(check, random.nextBoolean()); // a flush, or the writer's periodic pass
                }
                if (random.nextBoolean()) {
                    java.util.concurrent.locks.LockSupport.parkNanos(random.nextInt(100_000));
                }
            }
        };
        Thread consumer = Thread.ofPlatform().start(consume);
        Thread consumer2 = Thread.ofPlatform().start(consume);
        long i = 0;
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < perRound; k++, i++) {
                r.record(i, i, 1, 0, TurnListener.End.YIELD, "g", null);
            }
        }
        done.set(true);
        consumer.join();
        consumer2.join();
        r.commitRecorded(check, true);
        assertThat(misordered[0]).as("turns committed out of order or twice").isZero();
        assertThat(committed.get() + r.dropped()).as("every turn committed or counted as dropped").isEqualTo(i);
        long droppedBefore = r.dropped();
        for (int k = 0; k < JfrEvents.Recorder.BLOCK * (JfrEvents.Recorder.MAX_BLOCKS - 1); k++, i++) {
            r.record(i, i, 1, 0, TurnListener.End.YIELD, "g", null);
        }
        assertThat(r.dropped()).as("once drained, the recorder holds all blocks but the one it wrote last: no block was lost")
                .isEqualTo(droppedBefore);
        r.commitRecorded(check, true);
        assertThat(misordered[0]).isZero();
        assertThat(committed.get() + r.dropped()).isEqualTo(i);
    }

    /** A hub closed while a recording runs: its last turn is written, then the writer forgets its recorder and buffers. */
    @Test
    void theWriterForgetsAClosedHubsRecorderAfterWritingItsLastTurn() throws Exception {
        CountDownLatch lastTurn = new CountDownLatch(1);
        try (RecordingStream rs = new RecordingStream(greenletJfc())) {
            rs.onEvent("dev.greenlet.Turn", e -> {
                if ("short-lived-last".equals(e.getString("greenletName")) && "exit".equals(e.getString("end"))) {
                    lastTurn.countDown();
                }
            });
            rs.startAsync();
            Parked.until("a running recording attaches the JFR observer", () -> hub.engine.observer != null);
            Hub shortLived = new Hub("jfr-short-lived", hub.engine());
            Parked.until("the new hub has its recorder", () -> JfrEvents.Writer.of(shortLived) != null);
            new Greenlet<>(shortLived, "short-lived-last", () -> null).start().join();
            shortLived.close();
            Parked.until("the writer forgets the closed hub's recorder", () -> JfrEvents.Writer.of(shortLived) == null);
            assertThat(lastTurn.await(Parked.BOUND.toSeconds(), TimeUnit.SECONDS)).as("its last turn was written").isTrue();
        }
    }

    /** The events are off unless a recording asks for them: the JDK's own settings attach nothing to the hubs. */
    @Test
    void aRecordingWithTheJdksDefaultSettingsLeavesTheHubsUnobserved() throws Exception {
        try (jdk.jfr.Recording recording = new jdk.jfr.Recording(Configuration.getConfiguration("default"))) {
            recording.start();
            JfrEvents.update(); // what the recorder's listener does on the start, here on this thread
            assertThat(hub.engine.observer).as("no JFR listener on the hub").isNull();
        }
    }
}
