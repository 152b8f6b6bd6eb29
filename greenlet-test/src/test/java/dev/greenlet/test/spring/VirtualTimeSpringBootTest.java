package dev.greenlet.test.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Gevent;
import dev.greenlet.Hub;
import dev.greenlet.spring.Greenlet;
import dev.greenlet.spring.GreenletHubs;
import dev.greenlet.test.TestHub;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Service;

/**
 * {@code greenlet.test.virtual-time=true} in a real {@code @SpringBootTest}: the starter's hubs
 * are TestHubs, so a {@code @Greenlet} service that sleeps 30 s, or falls back after a 10 s
 * timeout, answers in well under a second of wall time, and the virtual time it took is there
 * to assert on.
 */
@SpringBootTest(properties = "greenlet.test.virtual-time=true")
class VirtualTimeSpringBootTest {

    @SpringBootApplication
    @Import(Reports.class) // nested in a test class, it is not scanned
    static class App {
    }

    @Service
    static class Reports {
        @Greenlet
        public CompletableFuture<String> afterThirtySeconds() {
            Gevent.sleep(Duration.ofSeconds(30));
            return CompletableFuture.completedFuture("ready");
        }

        @Greenlet
        public CompletableFuture<String> withFallback() {
            return CompletableFuture.completedFuture(Gevent.withTimeout(Duration.ofSeconds(10), () -> {
                Gevent.sleep(Duration.ofHours(1)); // the slow dependency
                return "fresh";
            }, "fallback"));
        }
    }

    @Autowired
    Reports reports;

    @Autowired
    TestHub hub;

    @Autowired
    GreenletHubs hubs;

    @Test
    void theStartersHubsAreTestHubs() {
        assertThat(hubs.hubs()).isNotEmpty().allSatisfy(h -> assertThat(h).isInstanceOf(TestHub.class));
        assertThat(hubs.hubs().get(0)).isSameAs(hub);
    }

    @Test
    void aThirtySecondSleepAndATenSecondTimeoutTakeMilliseconds() throws Exception {
        long start = System.nanoTime();
        Duration before = hub.currentTime();
        assertThat(reports.afterThirtySeconds().get()).isEqualTo("ready");
        Duration afterSleep = hub.currentTime();
        assertThat(reports.withFallback().get()).isEqualTo("fallback");
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        assertThat(afterSleep.minus(before)).isEqualTo(Duration.ofSeconds(30));
        assertThat(hub.currentTime().minus(afterSleep)).isEqualTo(Duration.ofSeconds(10));
        assertThat(wall).as("wall time of 40 virtual seconds").isLessThan(Duration.ofSeconds(1));
        assertThat(hub).isInstanceOf(Hub.class);
    }
}
