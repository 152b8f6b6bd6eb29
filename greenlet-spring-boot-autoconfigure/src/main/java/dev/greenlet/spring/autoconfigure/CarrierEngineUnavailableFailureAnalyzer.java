package dev.greenlet.spring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports {@link CarrierEngineUnavailableException}: what is missing (JDK 24+, the JVM flag, or
 * both) and, as the Action, the exact lines that put the flag in each place an application runs:
 * Maven's {@code spring-boot:run} and surefire, the executable jar's manifest, Gradle's
 * {@code bootRun}, {@code test} and {@code bootJar}, IDE run configurations and containers.
 */
class CarrierEngineUnavailableFailureAnalyzer extends AbstractFailureAnalyzer<CarrierEngineUnavailableException> {

    /** The oldest JDK the carrier engine runs on (JEP 491: synchronized no longer pins). */
    static final int MIN_JDK = 24;

    /** The JVM option, as a command line or a build tool's JVM arguments take it. */
    static final String FLAG = "--add-opens java.base/java.lang=ALL-UNNAMED";

    /** The same option as one token, the form JAVA_TOOL_OPTIONS needs. */
    static final String FLAG_ONE_TOKEN = "--add-opens=java.base/java.lang=ALL-UNNAMED";

    /**
     * Where the flag goes, one place per paragraph, each with the exact lines to paste. Public
     * through the analysis only; the README shows the same lines.
     */
    static final String WHERE_THE_FLAG_GOES = """
            Start the JVM with %1$s, in each place the application runs:

              Maven, spring-boot:run (spring-boot-maven-plugin):
                <configuration>
                  <jvmArguments>%1$s</jvmArguments>
                </configuration>

              Maven, tests (maven-surefire-plugin); @{argLine} keeps what JaCoCo or Mockito's agent put there,
              and the empty property lets it resolve when nothing did:
                <properties>
                  <argLine/>
                </properties>
                ...
                <configuration>
                  <argLine>@{argLine} %1$s</argLine>
                </configuration>

              Executable jar (maven-jar-plugin's manifest, which spring-boot:repackage keeps):
                <configuration>
                  <archive>
                    <manifestEntries>
                      <Add-Opens>java.base/java.lang</Add-Opens>
                    </manifestEntries>
                  </archive>
                </configuration>

              Gradle:
                tasks.named('bootRun') { jvmArgs '--add-opens', 'java.base/java.lang=ALL-UNNAMED' }
                tasks.named('test') { jvmArgs '--add-opens', 'java.base/java.lang=ALL-UNNAMED' }
                tasks.named('bootJar') { manifest { attributes 'Add-Opens': 'java.base/java.lang' } }

              IDE run configurations (VM options), containers and any other java command:
                JAVA_TOOL_OPTIONS=%2$s
                (JAVA_TOOL_OPTIONS takes the option as one token, with '='; on a command line:
                java %1$s -jar app.jar)
            """.formatted(FLAG, FLAG_ONE_TOKEN);

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, CarrierEngineUnavailableException cause) {
        StringBuilder description = new StringBuilder().append(GreenletProperties.MONKEY_PATCH_ALL)
                .append("=true selects the carrier engine (each hub's greenlets on virtual threads of its own),")
                .append(" which this JVM cannot run: ");
        StringBuilder action = new StringBuilder();
        if (cause.isJdkTooOld()) {
            description.append("it is Java ").append(cause.getJavaFeatureVersion()).append(", and the carrier engine")
                    .append(" needs JDK ").append(MIN_JDK).append(" or later (before JEP 491, synchronized pins a")
                    .append(" virtual thread to its carrier).");
            action.append("Run the application on JDK ").append(MIN_JDK).append(" or later, and then:\n\n");
        }
        else {
            description.append("it was started without ").append(FLAG)
                    .append(", which the carrier engine needs to give each hub a virtual-thread scheduler of its own.");
        }
        description.append("\n\n").append(cause.getMessage());
        action.append(WHERE_THE_FLAG_GOES).append("\nOr remove ").append(GreenletProperties.MONKEY_PATCH_ALL)
                .append(": hubs then run the permit engine (JDK 21+, no flag), where a blocking call holds its hub");
        return new FailureAnalysis(description.toString(), action.toString(), cause);
    }
}
