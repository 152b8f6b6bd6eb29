package dev.greenlet.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.monkey.Monkey;
import dev.greenlet.spring.autoconfigure.CarrierEngineUnavailableException;
import dev.greenlet.spring.autoconfigure.GreenletProperties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * In a JVM of its own, started without {@code --add-opens java.base/java.lang=ALL-UNNAMED}:
 * {@code greenlet.monkey.patch-all=true} cannot be applied there, so start-up fails before any
 * bean exists, with Boot's failure report naming the flag and every place it goes; nothing falls
 * back to a weaker patch.
 */
@ExtendWith(OutputCaptureExtension.class)
class PatchAllWithoutAddOpensTests {

    @BeforeEach
    void noBeanYet() {
        Probe.created.set(0);
    }

    @Test
    void patchAllFailsStartUpBeforeAnyBeanWithBootsReportShowingWhereTheFlagGoes(CapturedOutput output) {
        assertThatThrownBy(() -> start(GreenletProperties.MONKEY_PATCH_ALL + "=true").close())
                .isInstanceOf(CarrierEngineUnavailableException.class)
                .hasMessageContaining("--add-opens java.base/java.lang=ALL-UNNAMED");
        assertThat(Probe.created).as("beans created").hasValue(0);
        assertThat(Monkey.isPatched(Monkey.THREAD)).isFalse();
        String report = GreenletFailureAnalyzersTests.report(output);
        assertThat(report).contains("greenlet.monkey.patch-all=true selects the carrier engine")
                .contains("it was started without --add-opens java.base/java.lang=ALL-UNNAMED")
                .contains("<jvmArguments>--add-opens java.base/java.lang=ALL-UNNAMED</jvmArguments>")
                .contains("<argLine/>")
                .contains("<argLine>@{argLine} --add-opens java.base/java.lang=ALL-UNNAMED</argLine>")
                .contains("<Add-Opens>java.base/java.lang</Add-Opens>")
                .contains("tasks.named('bootRun') { jvmArgs '--add-opens', 'java.base/java.lang=ALL-UNNAMED' }")
                .contains("tasks.named('test') { jvmArgs '--add-opens', 'java.base/java.lang=ALL-UNNAMED' }")
                .contains("tasks.named('bootJar') { manifest { attributes 'Add-Opens': 'java.base/java.lang' } }")
                .contains("JAVA_TOOL_OPTIONS=--add-opens=java.base/java.lang=ALL-UNNAMED")
                .contains("Or remove greenlet.monkey.patch-all");
    }

    @Test
    void patchAllIsNotAppliedWhenGreenletsAreDisabled() {
        try (ConfigurableApplicationContext context = start(GreenletProperties.MONKEY_PATCH_ALL + "=true", GreenletProperties.ENABLED + "=false")) {
            assertThat(context.getBean(Probe.class)).isNotNull();
        }
        assertThat(Monkey.isPatched(Monkey.THREAD)).isFalse();
    }

    private static ConfigurableApplicationContext start(String... properties) {
        return new SpringApplicationBuilder(ProbeConfiguration.class).web(WebApplicationType.NONE)
                .properties(properties).run();
    }

    @Configuration(proxyBeanMethods = false)
    static class ProbeConfiguration {
        @Bean
        Probe probe() {
            return new Probe();
        }
    }

    /** A bean that counts its creations. */
    static class Probe {
        static final AtomicInteger created = new AtomicInteger();

        Probe() {
            created.incrementAndGet();
        }
    }
}
