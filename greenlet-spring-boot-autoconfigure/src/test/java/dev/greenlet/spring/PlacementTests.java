package dev.greenlet.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import dev.greenlet.event.Event;
import dev.greenlet.spring.autoconfigure.GreenletAutoConfiguration;
import dev.greenlet.spring.autoconfigure.GreenletProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Where work from outside the hubs goes: to the least loaded hub that is not stalled; work from
 * inside a greenlet stays on the caller's hub.
 */
class PlacementTests {

    static final Duration BOUND = Duration.ofSeconds(60);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GreenletAutoConfiguration.class))
            .withPropertyValues(GreenletProperties.HUB_COUNT + "=2", GreenletProperties.MONITOR_MAX_BLOCKING_TIME + "=50ms");

    @Test
    void tasksFromAPlainThreadAvoidAStalledHub() {
        runner.run(context -> {
            GreenletHubs hubs = context.getBean(GreenletHubs.class);
            GreenletTaskExecutor executor = context.getBean("greenletTaskExecutor", GreenletTaskExecutor.class);
            Hub hogged = hubs.hubs().get(0);
            Hub other = hubs.hubs().get(1);
            AtomicBoolean spin = new AtomicBoolean(true);
            Greenlet<Void> hog = hogged.spawn(() -> {
                long end = System.nanoTime() + BOUND.toNanos();
                while (spin.get() && System.nanoTime() < end) {
                    Thread.onSpinWait(); // a CPU loop: no cooperative point
                }
            });
            try {
                long deadline = System.nanoTime() + BOUND.toNanos();
                while (!GreenletHubs.isStalled(hogged)) {
                    assertThat(System.nanoTime()).as("the hog's hub counts as stalled in time").isLessThan(deadline);
                    Thread.sleep(5);
                }
                List<CompletableFuture<String>> placed = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    placed.add(executor.submitCompletable(() -> Hub.current().name()));
                }
                Set<String> ran = new HashSet<>();
                for (CompletableFuture<String> f : placed) {
                    ran.add(f.get(BOUND.toSeconds(), TimeUnit.SECONDS));
                }
                assertThat(ran).as("every task went to the hub that is not stalled, and ran during the stall")
                        .containsExactly(other.name());
                assertThat(hog.isDead()).as("the hog still held its hub while they ran").isFalse();
            } finally {
                spin.set(false);
                assertThat(hog.join(BOUND)).isTrue();
            }
        });
    }

    @Test
    void tasksGoToTheLeastLoadedHubAndStayOnTheCallersHub() {
        runner.run(context -> {
            GreenletHubs hubs = context.getBean(GreenletHubs.class);
            GreenletTaskExecutor executor = context.getBean("greenletTaskExecutor", GreenletTaskExecutor.class);
            Hub busy = hubs.hubs().get(0);
            Hub idle = hubs.hubs().get(1);
            Event release = new Event();
            List<Greenlet<?>> parked = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                parked.add(busy.spawn(() -> release.await(BOUND)));
            }
            try {
                for (int i = 0; i < 5; i++) {
                    assertThat(executor.submitCompletable(() -> Hub.current().name()).get(BOUND.toSeconds(), TimeUnit.SECONDS))
                            .as("from a plain thread: the hub with fewer live greenlets").isEqualTo(idle.name());
                }
                String fromInside = busy.spawn(() -> Gevent.await(executor.submitCompletable(() -> Hub.current().name())))
                        .get(BOUND);
                assertThat(fromInside).as("from a greenlet of the busy hub: its own hub, as gevent spawns on the current hub")
                        .isEqualTo(busy.name());
            } finally {
                release.set();
                Gevent.joinall(parked, BOUND, false);
            }
        });
    }

    @Test
    void hubCountDefaultsToTheProcessorsWithRequestGreenletsElseOne() {
        GreenletProperties.Hub hub = new GreenletProperties().getHub();
        assertThat(hub.resolveCount(true)).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(hub.resolveCount(false)).isEqualTo(1);
        hub.setCount(3);
        assertThat(hub.resolveCount(true)).as("a count set wins").isEqualTo(3);
        assertThat(hub.resolveCount(false)).isEqualTo(3);
    }
}
