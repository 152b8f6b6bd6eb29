package dev.greenlet.test;

import dev.greenlet.Hub;
import dev.greenlet.spring.GreenletHubs;
import dev.greenlet.spring.autoconfigure.GreenletAutoConfiguration;
import dev.greenlet.spring.autoconfigure.GreenletProperties;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * {@code greenlet.test.virtual-time=true} (in a {@code @SpringBootTest}'s properties): the
 * starter's hubs are {@link TestHub}s, on virtual time with autojump, so a {@code @Greenlet}
 * service that sleeps 30 s or gives up after a 10 s {@code withTimeout} is tested in
 * milliseconds. The first hub is a bean of type {@code TestHub} (inject it to read
 * {@link TestHub#currentTime()}); the starter's own {@code Hub} and {@code GreenletHubs} beans
 * back off. It runs before the starter's auto-configuration and only with the property set.
 * There is one hub, whatever the processors, unless {@code greenlet.hub.count} is set: each
 * {@code TestHub} has a clock of its own.
 */
@AutoConfiguration(before = GreenletAutoConfiguration.class)
@ConditionalOnClass(GreenletAutoConfiguration.class)
@ConditionalOnBooleanProperty(GreenletTestAutoConfiguration.VIRTUAL_TIME)
@EnableConfigurationProperties(GreenletProperties.class)
public final class GreenletTestAutoConfiguration {

    /** The property that turns it on. */
    public static final String VIRTUAL_TIME = "greenlet.test.virtual-time";

    /** The first hub, on virtual time. Its lifecycle belongs to {@link GreenletHubs}. */
    @Bean(destroyMethod = "")
    TestHub greenletHub(GreenletProperties properties) {
        return new TestHub(hubName(properties, 0), Hub.Engine.forNewHubs(), null);
    }

    /** All of the starter's hubs, each a {@link TestHub} with a clock of its own. */
    @Bean
    GreenletHubs greenletHubs(TestHub greenletHub, GreenletProperties properties) {
        List<Hub> hubs = new ArrayList<>();
        hubs.add(greenletHub);
        for (int i = 1; i < hubCount(properties); i++) {
            hubs.add(new TestHub(hubName(properties, i), Hub.Engine.forNewHubs(), null));
        }
        GreenletProperties.Monitor monitor = properties.getMonitor();
        return new GreenletHubs(hubs, properties.getShutdown().getTimeout(),
                monitor.isEnabled() ? monitor.getMaxBlockingTime() : null);
    }

    private static String hubName(GreenletProperties properties, int index) {
        String name = properties.getHub().getName();
        return hubCount(properties) == 1 ? name : name + "-" + index;
    }

    /**
     * One hub unless {@code greenlet.hub.count} says otherwise: each hub has a clock of its own,
     * and with several (the default with {@code greenlet.web.enabled}: one per processor) the
     * injected hub's {@code currentTime()} would depend on where a call was placed.
     */
    private static int hubCount(GreenletProperties properties) {
        Integer count = properties.getHub().getCount();
        return count != null ? count : 1;
    }
}
