package dev.greenlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.event.Event;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The turn observer seam, on the engine this run selects: one turn at a time, reasons, wakers, and listeners that throw. */
class TurnListenerTest extends HubTestSupport {

    /** Records every call; fails the test (through {@code problems}) if two turns of the hub overlap. */
    static final class Recorder implements TurnListener {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        final List<String> problems = Collections.synchronizedList(new ArrayList<>());
        private Greenlet<?> open;

        @Override
        public void turnStarted(Hub hub, Greenlet<?> g, long wokenBy, long nanoTime) {
            if (open != null) {
                problems.add(g.name() + " started while " + open.name() + " held the hub");
            }
            open = g;
            calls.add("start " + g.name() + " by " + wokenBy);
        }

        @Override
        public void turnEnded(Hub hub, Greenlet<?> g, End how, Object blocker, long nanoTime) {
            if (open != null && open != g) {
                problems.add(g.name() + " ended while " + open.name() + " held the hub");
            }
            open = null;
            calls.add("end " + g.name() + " " + how);
        }

        @Override
        public void spawned(Hub hub, Greenlet<?> g, Greenlet<?> by) {
            calls.add("spawn " + g.name());
        }

        @Override
        public void killed(Hub hub, Greenlet<?> g, Greenlet<?> by) {
            calls.add("kill " + g.name());
        }
    }

    @Test
    void turnsComeOneAtATimeWithTheirReasonsAndWakers() throws Exception {
        Recorder rec = new Recorder();
        Event go = new Event();
        try (AutoCloseable handle = hub.observeTurns(rec)) {
            assertThat(hub.engine.observer).as("the hub's observer while a listener is attached").isNotNull();
            Greenlet<?> waiter = new Greenlet<>(hub, "waiter", () -> go.await()).start();
            Greenlet<?> setter = new Greenlet<>(hub, "setter", () -> {
                Gevent.sleep(0);
                go.set();
                return null;
            }).start();
            Greenlet<?> victim = new Greenlet<>(hub, "victim", () -> {
                Gevent.sleep(60);
                return null;
            }).start();
            waiter.join();
            setter.join();
            Parked.awaitParked(victim);
            victim.kill();
            // A joiner wakes when the body ends, a moment before the engine ends its last turn.
            Parked.until("the exits observed", () -> rec.calls.containsAll(List.of("end victim EXIT", "end waiter EXIT",
                    "end setter EXIT")));
            assertThat(rec.problems).as("turns that overlapped").isEmpty();
            assertThat(rec.calls).contains("spawn waiter", "spawn setter", "end waiter WAIT", "end setter YIELD",
                    "end setter EXIT", "end waiter EXIT", "kill victim", "end victim EXIT");
            assertThat(rec.calls).as("the waiter's second turn was woken by the setter")
                    .contains("start waiter by " + setter.id());
        }
        assertThat(hub.engine.observer).as("the hub's observer once the listener is detached").isNull();
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheHub() throws Exception {
        TurnListener bad = new TurnListener() {
            @Override
            public void turnStarted(Hub hub, Greenlet<?> g, long wokenBy, long nanoTime) {
                throw new IllegalStateException("listener bug (expected by the test)");
            }

            @Override
            public void turnEnded(Hub hub, Greenlet<?> g, End how, Object blocker, long nanoTime) {
                throw new IllegalStateException("listener bug (expected by the test)");
            }
        };
        try (AutoCloseable handle = hub.observeTurns(bad)) {
            Greenlet<Integer> g = new Greenlet<>(hub, "survivor", () -> {
                Gevent.sleep(0);
                return 42;
            }).start();
            assertThat(g.get()).isEqualTo(42);
        }
    }

    /** A listener that throws on every turn is logged a few times, not once per turn. */
    @Test
    void aListenerThatThrowsOnEveryTurnIsLoggedBoundedly() throws Exception {
        List<java.util.logging.LogRecord> logged = Collections.synchronizedList(new ArrayList<>());
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                logged.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger(TurnObserver.class.getName());
        jul.addHandler(capture);
        TurnListener bad = new TurnListener() {
            @Override
            public void turnStarted(Hub hub, Greenlet<?> g, long wokenBy, long nanoTime) {
                throw new IllegalStateException("listener bug on every turn (expected by the test)");
            }

            @Override
            public void turnEnded(Hub hub, Greenlet<?> g, End how, Object blocker, long nanoTime) {
            }
        };
        try (AutoCloseable handle = hub.observeTurns(bad)) {
            new Greenlet<>(hub, "busy", () -> {
                for (int i = 0; i < 500; i++) {
                    Gevent.sleep(0);
                }
                return null;
            }).start().join();
        } finally {
            jul.removeHandler(capture);
        }
        long withStack = logged.stream().filter(r -> r.getThrown() != null).count();
        assertThat(withStack).as("failures logged in full, of 501 turns").isBetween(1L, 3L);
    }

    @Test
    void aListenerForAllHubsReachesHubsCreatedLater() throws Exception {
        List<String> hubsSeen = Collections.synchronizedList(new ArrayList<>());
        try (AutoCloseable handle = Hub.observeAllTurns(h -> {
            hubsSeen.add(h.name());
            return new Recorder();
        })) {
            Hub later = new Hub("created-later", hub.engine());
            try {
                assertThat(later.engine.observer).isNotNull();
                assertThat(hubsSeen).contains(hub.name(), "created-later");
            } finally {
                later.close();
            }
        }
        assertThat(hub.engine.observer).isNull();
    }
}
