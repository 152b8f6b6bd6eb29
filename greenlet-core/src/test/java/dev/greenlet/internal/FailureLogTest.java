package dev.greenlet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The bounded failure log: the first few of a kind in full, the rest counted, exactly. */
class FailureLogTest extends HubTestSupport {

    private final AtomicLong now = new AtomicLong();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final FailureLog failures = new FailureLog(3, Duration.ofSeconds(10), now::get, (message, error) -> {
        StringWriter text = new StringWriter();
        text.append(message).append('\n');
        if (error != null) {
            error.printStackTrace(new PrintWriter(text));
        }
        log.add(text.toString());
    });

    private static long summarised(List<String> entries) {
        long n = 0;
        Pattern count = Pattern.compile("^(\\d+) more failure\\(s\\) like this");
        for (String e : entries) {
            Matcher m = count.matcher(e);
            if (m.find()) {
                n += Long.parseLong(m.group(1));
            }
        }
        return n;
    }

    private static RuntimeException poolTimeout(int i) {
        return new IllegalStateException("Connection is not available, request timed out after 30000ms (#" + i + ")");
    }

    /**
     * 10,000 greenlets fail the same way, on the hub, through a FailureLog as their error handler:
     * 3 stacks and one summary line; the summary's count and the logged ones add up to exactly
     * 10,000; the hub counts each failure; the log stays under 20 KB.
     */
    @Test
    void aFloodOfTenThousandFailuresLogsAFewStacksAndAnExactCount() {
        expectReported();
        hub.setErrorHandler((g, e) -> failures.failed(g + " failed with " + e, e));
        List<Greenlet<?>> gs = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            int n = i;
            gs.add(hub.spawn(() -> {
                throw poolTimeout(n);
            }));
        }
        Gevent.joinall(gs);
        assertThat(hub.failedCount()).isEqualTo(10_000);
        assertThat(log).hasSize(3);
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        failures.flushEnded();
        assertThat(log).hasSize(4);
        assertThat(log.get(3)).startsWith("9997 more failure(s) like this in the last 10 s, not logged: java.lang.IllegalStateException at ")
                .contains("FailureLogTest.poolTimeout");
        assertThat(3 + summarised(log)).isEqualTo(10_000);
        assertThat(failures.pending()).isZero();
        long bytes = log.stream().mapToLong(String::length).sum();
        long lines = log.stream().mapToLong(e -> e.lines().count()).sum();
        assertThat(bytes).as("log size in characters").isLessThan(20_000);
        assertThat(lines).as("log lines").isLessThan(200);
    }

    /** Another kind or place is logged in full within the same interval; each kind is counted apart. */
    @Test
    void kindsAndPlacesAreCountedApart() {
        for (int i = 0; i < 10; i++) {
            failures.failed("a", poolTimeout(i));
            failures.failed("b", new ArithmeticException("/ by zero"));
        }
        assertThat(log).hasSize(6);
        failures.flush();
        assertThat(log).hasSize(8);
        assertThat(summarised(log)).isEqualTo(14);
        assertThat(log.subList(6, 8)).anySatisfy(e -> assertThat(e).contains("IllegalStateException"))
                .anySatisfy(e -> assertThat(e).contains("ArithmeticException"));
    }

    /** After the interval, a kind is logged in full again, and the last interval's summary comes first. */
    @Test
    void aNewIntervalLogsInFullAgainAfterTheSummary() {
        for (int i = 0; i < 5; i++) {
            failures.failed("a", poolTimeout(i));
        }
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        failures.failed("a", poolTimeout(5));
        assertThat(log).hasSize(5);
        assertThat(log.get(3)).startsWith("2 more failure(s) like this in the last 11 s");
        assertThat(log.get(4)).startsWith("a\n").contains("#5");
    }

    /** Endlessly varied failures stay bounded: past MAX_KINDS kinds, they share one count. */
    @Test
    void endlesslyVariedFailuresShareOneCountPastTheLimit() {
        FailureLog one = new FailureLog(1, Duration.ofSeconds(10), now::get, (m, e) -> log.add(m));
        for (int i = 0; i < FailureLog.MAX_KINDS + 500; i++) {
            RuntimeException e = new RuntimeException("kind " + i);
            e.setStackTrace(new StackTraceElement[] {new StackTraceElement("com.example.Gen", "m" + i, null, i)});
            one.failed("f" + i, e);
        }
        assertThat(log).hasSize(FailureLog.MAX_KINDS + 1);
        one.flush();
        assertThat(log.getLast()).startsWith("499 more failure(s) like this").contains("other kinds");
    }

    /** Bad arguments are refused with the problem named. */
    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> new FailureLog(-1, Duration.ofSeconds(1), (m, e) -> { }))
                .hasMessageContaining("firstPerInterval must not be negative");
        assertThatThrownBy(() -> new FailureLog(3, Duration.ZERO, (m, e) -> { }))
                .hasMessageContaining("interval must be positive");
    }
}
