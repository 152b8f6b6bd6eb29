package dev.greenlet.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.monkey.Monkey;
import dev.greenlet.spring.autoconfigure.GreenletProperties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * In a JVM of its own, started without {@code --add-opens java.base/java.lang=ALL-UNNAMED}:
 * {@code greenlet.monkey.patch-all=true} cannot be applied there, so start-up fails before any
 * bean exists, with {@code Monkey.patchAll()}'s message naming the flag; nothing falls back to
 * a weaker patch.
 */
class PatchAllWithoutAddOpensTests {

    @BeforeEach
    void noBeanYet() {
        Probe.created.set(0);
    }

    @Test
    void patchAllFailsStartUpBeforeAnyBeanWithTheMessageThatNamesTheFix() {
        String fix = Runtime.version().feature() >= 24 ? "--add-opens java.base/java.lang=ALL-UNNAMED" : "24";
        assertThatThrownBy(() -> start(GreenletProperties.MONKEY_PATCH_ALL + "=true").close())
                .satisfies(e -> assertThat(Stream.iterate(e, c -> c != null, Throwable::getCause))
                        .as("the exception or a cause says what is missing")
                        .anySatisfy(c -> assertThat(c).isInstanceOf(IllegalStateException.class)
                                .hasMessageContaining(fix)));
        assertThat(Probe.created).as("beans created").hasValue(0);
        assertThat(Monkey.isPatched(Monkey.THREAD)).isFalse();
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
