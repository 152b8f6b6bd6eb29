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
        assertThat(count(log, "\tat " + Flaky.class.getName() + ".fail("))
                .as("failures logged in full, with their stack").isEqualTo(GreenletHubs.FAILURES_IN_FULL);
        assertThat(log).as("the rest summed up once the context closed")
                .contains((FAILURES - GreenletHubs.FAILURES_IN_FULL) + " more failure(s) like this");
        assertThat(log.length()).as("the log of 10,000 failures stays small (one stack is a few KB)").isLessThan(60_000);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
