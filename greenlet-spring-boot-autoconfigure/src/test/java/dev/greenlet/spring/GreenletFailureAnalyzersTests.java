package dev.greenlet.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.monkey.Monkey;
import dev.greenlet.spring.autoconfigure.GreenletProperties;
import dev.greenlet.spring.autoconfigure.RequestGreenletsNeedCarrierEngineException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

/**
 * Each start-up failure of the starter reaches Boot's "APPLICATION FAILED TO START" report, whose
 * Description says what is wrong and whose Action says what to do: a real application is
 * started and its console read. (patch-all without the JVM flag is tested in
 * {@link PatchAllWithoutAddOpensTests}, in a JVM of its own.)
 */
@ExtendWith(OutputCaptureExtension.class)
class GreenletFailureAnalyzersTests {

    @Test
    void requestGreenletsWithoutPatchAllReportWhatToSet(CapturedOutput output) {
        assertThatThrownBy(() -> start(WebApplicationType.SERVLET, GreenletProperties.WEB_ENABLED + "=true"))
                .isInstanceOf(RequestGreenletsNeedCarrierEngineException.class);
        assertThat(Monkey.isPatched(Monkey.THREAD)).isFalse();
        assertThat(report(output)).contains("greenlet.web.enabled=true serves each HTTP request as a greenlet,"
                + " which needs the carrier engine, but greenlet.monkey.patch-all is off")
                .contains("Action:\n\nSet greenlet.monkey.patch-all=true (it needs JDK 24+ and the JVM started with"
                        + " --add-opens java.base/java.lang=ALL-UNNAMED), or remove greenlet.web.enabled");
    }

    @Test
    void anInvalidHubCountNamesThePropertyTheValueAndWhatItTakes(CapturedOutput output) {
        assertThatThrownBy(() -> start(WebApplicationType.NONE, GreenletProperties.HUB_COUNT + "=0"))
                .isInstanceOf(BindException.class);
        assertThat(report(output)).contains("Invalid value for greenlet.hub.count: '0'")
                .contains("Reason: greenlet.hub.count must be at least 1, got 0")
                .contains("Action:\n\nSet greenlet.hub.count to a whole number, 1 or more, or remove it to use the default.");
    }

    @Test
    void aValueThatDoesNotConvertNamesThePropertyAndWhatItTakes(CapturedOutput output) {
        assertThatThrownBy(() -> start(WebApplicationType.NONE, GreenletProperties.SHUTDOWN_TIMEOUT + "=ten seconds"))
                .isInstanceOf(BindException.class);
        assertThat(report(output)).contains("Invalid value for greenlet.shutdown.timeout: 'ten seconds'")
                .contains("Reason: ")
                .contains("Set greenlet.shutdown.timeout to a duration of zero or more, such as 30s, 500ms or PT1M");
    }

    @Test
    void aZeroMaxBlockingTimeSaysHowToTurnTheMonitorOff(CapturedOutput output) {
        assertThatThrownBy(() -> start(WebApplicationType.NONE, GreenletProperties.MONITOR_MAX_BLOCKING_TIME + "=0s"))
                .isInstanceOf(BindException.class);
        assertThat(report(output)).contains("Invalid value for greenlet.monitor.max-blocking-time: '0s'")
                .contains("Set greenlet.monitor.max-blocking-time to a positive duration, such as 100ms or 1s"
                        + " (a bare number is milliseconds); to turn the monitor off, set greenlet.monitor.enabled=false");
    }

    @Test
    void aBooleanThatIsNotOneSaysTrueOrFalse(CapturedOutput output) {
        assertThatThrownBy(() -> start(WebApplicationType.NONE, GreenletProperties.MONKEY_PATCH_ALL + "=maybe"))
                .isInstanceOf(BindException.class);
        assertThat(report(output)).contains("Invalid value for greenlet.monkey.patch-all: 'maybe'")
                .contains("Set greenlet.monkey.patch-all to true or false");
        assertThat(Monkey.isPatched(Monkey.THREAD)).isFalse();
    }

    @Test
    void aBlankHubNameIsReported(CapturedOutput output) {
        assertThatThrownBy(() -> start(WebApplicationType.NONE, GreenletProperties.HUB_NAME + "= "))
                .isInstanceOf(BindException.class);
        assertThat(report(output)).contains("Invalid value for greenlet.hub.name")
                .contains("Reason: greenlet.hub.name must not be blank")
                .contains("Set greenlet.hub.name to a name that is not blank");
    }

    /** Boot's failure report, from its banner on, with the line ends of this platform made '\n'. */
    static String report(CapturedOutput output) {
        String all = output.getAll().replace("\r\n", "\n");
        int start = all.indexOf("APPLICATION FAILED TO START");
        assertThat(start).as("Boot's failure report in the output:%n%s", all).isNotNegative();
        String report = all.substring(start);
        assertThat(report).contains("Description:\n\n").contains("Action:\n\n");
        return report;
    }

    static void start(WebApplicationType type, String... properties) {
        new SpringApplicationBuilder(Empty.class).web(type).properties(properties).run().close();
    }

    @Configuration(proxyBeanMethods = false)
    static class Empty {
    }
}
