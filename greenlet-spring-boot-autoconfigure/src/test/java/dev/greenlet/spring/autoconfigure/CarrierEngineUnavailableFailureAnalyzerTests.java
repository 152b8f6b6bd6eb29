package dev.greenlet.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * The report for a JVM older than JDK 24, which this build cannot start (it needs 24+ to run the
 * carrier engine's tests): the analyzer gets the exception the post-processor throws there, with
 * the reason the core library gives. A JVM without the flag is started for real in
 * {@code PatchAllWithoutAddOpensTests}.
 */
class CarrierEngineUnavailableFailureAnalyzerTests {

    @Test
    void onJdk21TheReportAsksForJdk24AndStillShowsWhereTheFlagGoes() {
        CarrierEngineUnavailableException failure = new CarrierEngineUnavailableException(
                "the carrier engine needs JDK 24 or later (this JVM is 21.0.5+11)", 21);
        FailureAnalysis analysis = new CarrierEngineUnavailableFailureAnalyzer().analyze(
                new IllegalStateException("wrapped", failure));
        assertThat(analysis.getCause()).isSameAs(failure);
        assertThat(analysis.getDescription()).contains("it is Java 21, and the carrier engine needs JDK 24 or later")
                .contains("this JVM is 21.0.5+11");
        assertThat(analysis.getAction()).startsWith("Run the application on JDK 24 or later, and then:")
                .contains("<jvmArguments>--add-opens java.base/java.lang=ALL-UNNAMED</jvmArguments>")
                .contains("JAVA_TOOL_OPTIONS=--add-opens=java.base/java.lang=ALL-UNNAMED")
                .contains("Or remove greenlet.monkey.patch-all: hubs then run the permit engine (JDK 21+, no flag)");
    }

    @Test
    void onJdk24AndLaterOnlyTheFlagIsAskedFor() {
        FailureAnalysis analysis = new CarrierEngineUnavailableFailureAnalyzer().analyze(
                new CarrierEngineUnavailableException("the carrier engine needs --add-opens", 25));
        assertThat(analysis.getDescription()).contains("it was started without --add-opens java.base/java.lang=ALL-UNNAMED");
        assertThat(analysis.getAction()).startsWith("Start the JVM with --add-opens java.base/java.lang=ALL-UNNAMED");
    }
}
