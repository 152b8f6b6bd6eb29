package dev.greenlet.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InaccessibleObjectException;
import org.junit.jupiter.api.Test;

/** What {@link Carriers} says when its reflection fails: the fix that fits the failure. */
class CarriersTest {

    private static final Runtime.Version JDK = Runtime.Version.parse("26-ea+3");

    @Test
    void aClosedPackageAsksForTheAddOpens() {
        String why = Carriers.unavailableBecause(new InaccessibleObjectException("module java.base does not open java.lang"),
                "java.lang.ThreadBuilders$VirtualThreadBuilder(Executor)", JDK);
        assertThat(why).contains("--add-opens java.base/java.lang=ALL-UNNAMED");
    }

    @Test
    void aMissingFieldNamesItAndTheJdkVersionNotTheAddOpens() {
        String why = Carriers.unavailableBecause(new NoSuchFieldException("scheduler"), "java.lang.VirtualThread.scheduler", JDK);
        assertThat(why).contains("java.lang.VirtualThread.scheduler").contains("26-ea+3").contains("permit engine")
                .doesNotContain("--add-opens");
    }

    @Test
    void aRenamedClassIsNoAddOpensProblemEither() {
        String why = Carriers.unavailableBecause(new ClassNotFoundException("java.lang.ThreadBuilders$VirtualThreadBuilder"),
                "java.lang.ThreadBuilders$VirtualThreadBuilder(Executor)", JDK);
        assertThat(why).contains("missing or has changed").doesNotContain("--add-opens");
    }
}
