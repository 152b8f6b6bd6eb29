package dev.greenlet.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import dev.greenlet.Parked;
import dev.greenlet.TurnListener;
import dev.greenlet.event.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The timeline: turns one at a time and named, flows from waker to woken, stalls marked, bounded memory, valid trace JSON. */
class TimelineTest extends HubTestSupport {

    @Test
    void turnsNeverOverlapCarryTheirNamesAndTheirWakers() throws Exception {
        try (Timeline timeline = new Timeline(Duration.ofSeconds(30), Timeline.DEFAULT_CAPACITY, Duration.ofSeconds(1)).attach(hub)) {
            Event go = new Event();
            List<Greenlet<?>> workers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                workers.add(new Greenlet<>(hub, "worker-" + i, () -> {
                    for (int k = 0; k < 20; k++) {
                        Gevent.sleep(0);
                    }
                    return null;
                }).start());
            }
            Greenlet<?> waiter = new Greenlet<>(hub, "waiter", () -> go.await()).start();
            Greenlet<?> setter = new Greenlet<>(hub, "setter", () -> {
                go.set();
                return null;
            }).start();
            for (Greenlet<?> w : workers) {
                w.join();
            }
            waiter.join();
            setter.join();
            // A joiner wakes when the body ends, a moment before the engine ends its last turn.
            Parked.until("the exits recorded", () -> timeline.turns(hub, Duration.ofSeconds(30)).stream()
                    .filter(t -> t.end() == TurnListener.End.EXIT).count() == 6);

            List<Timeline.Turn> turns = timeline.turns(hub, Duration.ofSeconds(30));
            assertThat(turns).hasSizeGreaterThanOrEqualTo(4 * 21);
            for (int i = 1; i < turns.size(); i++) {
                assertThat(turns.get(i).startNanos()).as("turn %d (%s) starts after turn %d (%s) ended", i,
                        turns.get(i).name(), i - 1, turns.get(i - 1).name()).isGreaterThanOrEqualTo(turns.get(i - 1).endNanos());
            }
            assertThat(turns).extracting(Timeline.Turn::name).contains("worker-0", "worker-3", "waiter", "setter");
            assertThat(turns).filteredOn(t -> t.name().equals("waiter") && t.end() == TurnListener.End.EXIT)
                    .singleElement().satisfies(t -> assertThat(t.wokenBy()).isEqualTo(setter.id()));
            assertThat(turns).filteredOn(t -> t.name().equals("waiter") && t.end() == TurnListener.End.WAIT)
                    .singleElement().satisfies(t -> assertThat(t.waitingOn()).isEqualTo("Event"));

            String json = timeline.chromeTrace(Duration.ofSeconds(30));
            assertThat(json).startsWith("{").contains("\"traceEvents\":[", "\"ph\":\"X\"", "\"name\":\"worker-2\"",
                    "\"ph\":\"C\"", "\"name\":\"thread_name\"", "\"hub " + hub.name() + "\"");
            assertBalanced(json);
            // As a trace viewer reads them (microseconds as doubles, summed): no turn overlaps the next.
            java.util.regex.Matcher x = java.util.regex.Pattern.compile(
                    "\"ph\":\"X\",\"pid\":1,\"tid\":(\\d+),\"ts\":([0-9.E-]+),\"dur\":([0-9.E-]+)").matcher(json);
            double lastEnd = -1;
            int slices = 0;
            while (x.find()) {
                double ts = Double.parseDouble(x.group(2));
                assertThat(ts).as("slice %d starts after the one before it ends", slices).isGreaterThanOrEqualTo(lastEnd);
                lastEnd = ts + Double.parseDouble(x.group(3));
                slices++;
            }
            assertThat(slices).as("turn slices in the trace").isEqualTo(turns.size());
            // Every flow that starts also finishes, with the same id.
            Set<String> starts = ids(json, "s");
            Set<String> finishes = ids(json, "f");
            assertThat(starts).isNotEmpty().isEqualTo(finishes);
        }
    }

    @Test
    void aTurnAsLongAsTheThresholdIsMarkedAsAStall() throws Exception {
        try (Timeline timeline = new Timeline(Duration.ofSeconds(30), 64, Duration.ofMillis(SHORT_MS))) {
            timeline.attach(hub);
            new Greenlet<>(hub, "hog", () -> {
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2 * SHORT_MS);
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                return null;
            }).start().join();
            new Greenlet<>(hub, "quick", () -> null).start().join();
            Parked.until("the quick turn recorded", () -> timeline.turns(hub, Duration.ofSeconds(30)).stream()
                    .anyMatch(t -> t.name().equals("quick")));
            String json = timeline.chromeTrace(Duration.ofSeconds(30));
            assertThat(json).containsPattern("\\{\"name\":\"hog\",\"cat\":\"turn,stall\"");
            assertThat(json).containsPattern("\\{\"name\":\"quick\",\"cat\":\"turn\"");
        }
    }

    @Test
    void memoryIsBoundedByTheCapacity() throws Exception {
        try (Timeline timeline = new Timeline(Duration.ofSeconds(30), 16, Duration.ofSeconds(1)).attach(hub)) {
            new Greenlet<>(hub, "spinner", () -> {
                for (int k = 0; k < 1000; k++) {
                    Gevent.sleep(0);
                }
                return null;
            }).start().join();
            Parked.until("the exit recorded", () -> timeline.turns(hub, Duration.ofSeconds(30)).getLast().end()
                    == TurnListener.End.EXIT);
            assertThat(timeline.held(hub)).isEqualTo(16);
            List<Timeline.Turn> turns = timeline.turns(hub, Duration.ofSeconds(30));
            assertThat(turns).hasSize(16).allSatisfy(t -> assertThat(t.name()).isEqualTo("spinner"));
            assertThat(turns.get(15).end()).as("the newest turn is kept").isEqualTo(TurnListener.End.EXIT);
        }
    }

    /** The ring grows as turns come (past its first 1,024 slots), keeps them in order, and stops at the capacity. */
    @Test
    void theRingGrowsInOrderUpToTheCapacity() throws Exception {
        try (Timeline timeline = new Timeline(Duration.ofSeconds(30), 3_000, Duration.ofSeconds(1)).attach(hub)) {
            new Greenlet<>(hub, "spinner", () -> {
                for (int k = 0; k < 2_000; k++) {
                    Gevent.sleep(0);
                }
                return null;
            }).start().join();
            Parked.until("the exit recorded", () -> timeline.turns(hub, Duration.ofSeconds(30)).getLast().end()
                    == TurnListener.End.EXIT);
            assertThat(timeline.held(hub)).as("every turn, past the first slots").isEqualTo(2_001);
            new Greenlet<>(hub, "spinner", () -> {
                for (int k = 0; k < 2_000; k++) {
                    Gevent.sleep(0);
                }
                return null;
            }).start().join();
            Parked.until("the second exit recorded", () -> timeline.held(hub) == 3_000
                    && timeline.turns(hub, Duration.ofSeconds(30)).getLast().end() == TurnListener.End.EXIT);
            List<Timeline.Turn> turns = timeline.turns(hub, Duration.ofSeconds(30));
            assertThat(turns).hasSize(3_000);
            for (int k = 1; k < turns.size(); k++) {
                assertThat(turns.get(k).startNanos()).as("turn %d in order", k).isGreaterThanOrEqualTo(turns.get(k - 1).endNanos());
            }
        }
    }

    @Test
    void badArgumentsAreRefusedWithTheirFix() {
        assertThatThrownBy(() -> new Timeline(Duration.ofHours(1), 100, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most PT10M");
        assertThatThrownBy(() -> new Timeline(Duration.ofSeconds(1), 2, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("between 16 and");
        assertThatThrownBy(() -> new Timeline(Duration.ofSeconds(1), 50_000_000, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("between 16 and 1000000");
    }

    private static Set<String> ids(String json, String phase) {
        Matcher m = Pattern.compile("\"ph\":\"" + phase + "\",(?:\"bp\":\"e\",)?\"id\":(\\d+)").matcher(json);
        Set<String> ids = new HashSet<>();
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    /** Brackets and braces balance outside strings: the JSON is at least well nested. */
    static void assertBalanced(String json) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
                assertThat(depth).as("nesting at %d", i).isNotNegative();
            }
        }
        assertThat(depth).isZero();
        assertThat(inString).isFalse();
    }
}
