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

    /** 100 stalls at one call within a period: one full report; the first after the period: one line counting them. */
    @Test
    void repeatsOfOneStallAreCountedNotLogged() {
        log.blocked(report("handle", 150));
        for (int i = 0; i < 99; i++) {
            log.blocked(report("handle", i == 50 ? 900 : 150));
        }
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains("ADVICE-TEXT").contains("com.example.App.handle");
        now.addAndGet(Duration.ofSeconds(61).toNanos());
        log.blocked(report("handle", 150));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).contains("at com.example.App.handle(App.java:10): 100 stall(s) like this in the last 61 s, the longest 900 ms")
                .doesNotContain("ADVICE-TEXT").doesNotContain("\n");
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
