package dev.greenlet.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import dev.greenlet.HubTestSupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The monitor's default log: each kind of stall once in full, its repeats summarised once a period. */
class StallLogTest extends HubTestSupport {

    private final AtomicLong now = new AtomicLong();
    private final List<String> lines = new ArrayList<>();
    private final StallLog log = new StallLog(Duration.ofSeconds(60), now::get, lines::add);
    /** Never started: a report only names it. */
    private final Greenlet<?> greenlet = new Greenlet<>(new Hub("stall-log"), "stalled", () -> null);

    private static List<StackTraceElement> stack(String method) {
        return List.of(new StackTraceElement("java.lang.Thread", "sleep", null, -2),
                new StackTraceElement("com.example.App", method, "App.java", 10));
    }

    private HubMonitor.BlockingReport report(String method, long millis) {
        return new HubMonitor.BlockingReport(greenlet.hub(), greenlet, Duration.ofMillis(millis), stack(method),
                "ADVICE-TEXT", null, List.of());
    }

    /** Starts a stall, reports it {@code lasted} long after, and ends it; advances the fake clock. */
    private void stall(String method, long lasted) {
        HubMonitor.BlockingReport r = report(method, 150);
        log.blocked(r);
        now.addAndGet(Duration.ofMillis(lasted).toNanos());
        log.ended(new HubMonitor.StallEnd(r, Duration.ofMillis(lasted)));
    }

    /**
     * 100 stalls at one call within a period: the first in full with its end; repeats no longer
     * than it, nothing; the first after the period: one line counting them, and a full report.
     */
    @Test
    void repeatsOfOneStallAreCountedNotLogged() {
        stall("handle", 900);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("ADVICE-TEXT").contains("com.example.App.handle");
        assertThat(lines.get(1)).contains("ended").contains("held it for 900 ms at com.example.App.handle(App.java:10)");
        for (int i = 0; i < 99; i++) {
            stall("handle", 150);
        }
        assertThat(lines).hasSize(2);
        now.addAndGet(Duration.ofSeconds(61).toNanos());
        log.blocked(report("handle", 150));
        assertThat(lines).hasSize(4);
        assertThat(lines.get(2)).contains("99 more stall(s) like this on hub 'stall-log' at com.example.App.handle(App.java:10)")
                .contains("the longest 900 ms").doesNotContain("ADVICE-TEXT").doesNotContain("\n");
        assertThat(lines.get(3)).contains("ADVICE-TEXT");
    }

    /**
     * The operator's case: after a short stall logged in full, 3 s, 6 s and 8 s stalls at the same
     * place each appear with their true length, though they fall in the same summary window.
     */
    @Test
    void aStallLongerThanAnyInTheWindowIsAlwaysLogged() {
        stall("handle", 150);
        stall("handle", 120); // shorter: summarised
        assertThat(lines).hasSize(2);
        for (long ms : new long[] {3_000, 6_000, 8_000}) {
            stall("handle", ms);
        }
        stall("handle", 5_000); // shorter than the 8 s one: summarised
        assertThat(lines).hasSize(5);
        assertThat(lines.get(2)).contains("held it for 3000 ms").contains("longer than any stall like it");
        assertThat(lines.get(3)).contains("held it for 6000 ms");
        assertThat(lines.get(4)).contains("held it for 8000 ms");
    }

    /**
     * A repeat that outlasts every stall like it is logged while it lasts (it may never end), once,
     * and again when it ends.
     */
    @Test
    void aLongRepeatIsLoggedWhileItLastsAndWhenItEnds() {
        stall("handle", 150);
        HubMonitor.BlockingReport r = report("handle", 100);
        log.blocked(r);
        log.stillBlocked(r, Duration.ofMillis(120)); // not longer than 150: nothing
        assertThat(lines).hasSize(2);
        log.stillBlocked(r, Duration.ofMillis(400));
        log.stillBlocked(r, Duration.ofMillis(800)); // logged already
        assertThat(lines).hasSize(3);
        assertThat(lines.get(2)).contains("for 400 ms so far at com.example.App.handle");
        log.ended(new HubMonitor.StallEnd(r, Duration.ofMillis(1_000)));
        assertThat(lines).hasSize(4);
        assertThat(lines.get(3)).contains("held it for 1000 ms");
    }

    /** A stall at another call is news: logged in full at once. */
    @Test
    void aStallElsewhereIsLoggedInFull() {
        log.blocked(report("handle", 150));
        log.blocked(report("other", 150));
        assertThat(lines).hasSize(2).allSatisfy(line -> assertThat(line).contains("ADVICE-TEXT"));
    }

    /** Deadlocks are always logged in full. */
    @Test
    void deadlocksAreAlwaysLoggedInFull() {
        HubMonitor.BlockingReport deadlock = new HubMonitor.BlockingReport(greenlet.hub(), greenlet, Duration.ofMillis(150),
                stack("handle"), "ADVICE-TEXT", greenlet, stack("other"));
        log.blocked(deadlock);
        log.blocked(deadlock);
        assertThat(lines).hasSize(2).allSatisfy(line -> assertThat(line).startsWith("Deadlock"));
    }
}
