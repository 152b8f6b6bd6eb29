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
            assertThat(e.getDuration().toMillis()).isGreaterThanOrEqualTo(MEDIUM_MS);
        });
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
        });
        Parked.until("the recording's end detaches the JFR observer", () -> hub.engine.observer == null);
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
