package dev.greenlet.test.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.spring.GreenletHubs;
import dev.greenlet.test.GreenletTestAutoConfiguration;
import dev.greenlet.test.TestHub;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Under {@code greenlet.test.virtual-time} there is one hub (one clock) unless
 * {@code greenlet.hub.count} is set, even where requests as greenlets would default to one hub
 * per processor: the injected TestHub's time must not depend on where a call was placed.
 */
class VirtualTimeHubCountTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GreenletTestAutoConfiguration.class))
            .withPropertyValues(GreenletTestAutoConfiguration.VIRTUAL_TIME + "=true", "greenlet.web.enabled=true");

    @Test
    void oneHubWhateverTheProcessors() {
        runner.run(context -> assertThat(context.getBean(GreenletHubs.class).hubs()).singleElement()
                .isSameAs(context.getBean(TestHub.class)));
    }

    @Test
    void theCountWhenItIsSet() {
        runner.withPropertyValues("greenlet.hub.count=3").run(context -> assertThat(
                context.getBean(GreenletHubs.class).hubs()).hasSize(3).allSatisfy(h -> assertThat(h).isInstanceOf(TestHub.class)));
    }
}
