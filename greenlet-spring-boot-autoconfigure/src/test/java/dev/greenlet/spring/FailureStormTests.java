package dev.greenlet.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Greenlet;
import dev.greenlet.spring.actuate.GreenletMetrics;
import dev.greenlet.spring.autoconfigure.GreenletAutoConfiguration;
import dev.greenlet.spring.autoconfigure.GreenletMetricsAutoConfiguration;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Service;

/**
 * A storm of failures does not flood the log: 10,000 failures of one {@code @Greenlet} method
 * log the first few in full and then one summary with the count, while {@code greenlet.failed}
 * counts each of them.
 */
@ExtendWith(OutputCaptureExtension.class)
class FailureStormTests {

    static final int FAILURES = 10_000;

    @Service
    static class Flaky {

        @dev.greenlet.spring.Greenlet
        public Greenlet<String> fail(int i) {
            throw new IllegalStateException("pool timeout " + i);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class FlakyConfiguration {

        @Bean
        Flaky flaky() {
            return new Flaky();
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GreenletAutoConfiguration.class, GreenletMetricsAutoConfiguration.class))
            .withUserConfiguration(FlakyConfiguration.class);

    @Test
    void tenThousandFailuresLogAFewInFullAndASummaryAndAreEachCounted(CapturedOutput output) {
        int before = output.getAll().length();
        runner.run(context -> {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            context.getBean(GreenletMetrics.class).bindTo(registry);
            Flaky flaky = context.getBean(Flaky.class);
            List<Greenlet<String>> calls = new ArrayList<>();
            for (int i = 0; i < FAILURES; i++) {
                calls.add(flaky.fail(i));
            }
            for (Greenlet<String> g : calls) {
                assertThat(g.join(Duration.ofSeconds(60))).as("a call ended in time").isTrue();
                assertThat(g.exception()).isInstanceOf(IllegalStateException.class);
            }
            double failed = registry.get("greenlet.failed").functionCounters().stream()
                    .mapToDouble(c -> c.count()).sum();
            assertThat(failed).as("greenlet.failed counts each failure").isEqualTo(FAILURES);
        });
        String log = output.getAll().substring(before);
        assertThat(count(log, "failed with java.lang.IllegalStateException: pool timeout"))
                .as("failures logged in full").isEqualTo(GreenletHubs.FAILURES_IN_FULL);
        assertThat(log).as("the rest summed up once the context closed")
                .contains((FAILURES - GreenletHubs.FAILURES_IN_FULL) + " more failure(s) of java.lang.IllegalStateException at ");
        assertThat(log.length()).as("the log of 10,000 failures stays small (one stack is a few KB)").isLessThan(60_000);
    }

    @Test
    void eachKindAndPlaceHasItsOwnAllowanceAndAnIntervalStartsAfresh() {
        AtomicLong now = new AtomicLong();
        List<FailureLog.Entry> entries = new ArrayList<>();
        FailureLog log = new FailureLog(2, Duration.ofSeconds(60), now::get, entries::add);
        Greenlet<?> g = Greenlet.completed("x").setName("GET /a");
        IllegalStateException here = new IllegalStateException("here");
        IllegalArgumentException other = new IllegalArgumentException("other kind");
        for (int i = 0; i < 5; i++) {
            log.failed(g, here);
        }
        log.failed(g, other);
        assertThat(entries).extracting(FailureLog.Entry::error).containsExactly(here, here, other);
        now.addAndGet(Duration.ofSeconds(61).toNanos());
        log.failed(g, here);
        assertThat(entries).hasSize(5);
        assertThat(entries.get(3).message()).startsWith("3 more failure(s) of java.lang.IllegalStateException at ")
                .contains("(the last in 'GET /a') in the last 61000 ms");
        assertThat(entries.get(4).error()).as("a new interval logs in full again").isSameAs(here);
        log.flush();
        assertThat(entries).as("nothing counted beyond the allowance: no summary").hasSize(5);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
