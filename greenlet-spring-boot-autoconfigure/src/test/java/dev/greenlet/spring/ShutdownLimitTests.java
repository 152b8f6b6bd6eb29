package dev.greenlet.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import dev.greenlet.spring.autoconfigure.GreenletAutoConfiguration;
import dev.greenlet.spring.autoconfigure.GreenletProperties;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Shutdown keeps its limit: with one hub stalled in a CPU loop and another deadlocked in a wait
 * that ignores its kill, closing the context ends within {@code greenlet.shutdown.timeout} plus
 * {@link GreenletHubs#KILL_GRACE} (not the loop's length, nor the core's 10 s per hub), and names
 * each hub and greenlet it abandoned.
 */
@ExtendWith(OutputCaptureExtension.class)
class ShutdownLimitTests {

    static final Duration BOUND = Duration.ofSeconds(60);
    static final long TIMEOUT_MS = 300;

    @Test
    void aStalledAndADeadlockedHubDoNotHoldTheCloseBeyondItsLimit(CapturedOutput output) throws Exception {
        AtomicBoolean stuck = new AtomicBoolean(true);
        CountDownLatch never = new CountDownLatch(1);
        Greenlet<?>[] held = new Greenlet<?>[2];
        long[] closeNanos = new long[1];
        try {
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GreenletAutoConfiguration.class))
                    .withPropertyValues(GreenletProperties.HUB_COUNT + "=2",
                            GreenletProperties.SHUTDOWN_TIMEOUT + "=" + TIMEOUT_MS + "ms")
                    .run(context -> {
                        GreenletHubs hubs = context.getBean(GreenletHubs.class);
                        Hub first = hubs.hubs().get(0);
                        Hub second = hubs.hubs().get(1);
                        held[0] = first.spawn(() -> {
                            long end = System.nanoTime() + BOUND.toNanos();
                            while (stuck.get() && System.nanoTime() < end) {
                                Thread.onSpinWait(); // a CPU loop: no cooperative point for the kill to land at
                            }
                        }).setName("cpu-loop");
                        held[1] = second.spawn(() -> {
                            long end = System.nanoTime() + BOUND.toNanos();
                            while (stuck.get() && System.nanoTime() < end) {
                                try {
                                    never.await(); // not cooperative on the permit engine: holds the hub
                                } catch (InterruptedException ignored) {
                                    // as a deadlocked library wait that swallows interrupts
                                }
                            }
                        }).setName("deadlocked-wait");
                        long deadline = System.nanoTime() + BOUND.toNanos();
                        while (first.runningGreenlet() != held[0] || second.runningGreenlet() != held[1]) {
                            assertThat(System.nanoTime()).as("both hubs held in time").isLessThan(deadline);
                            Thread.sleep(5);
                        }
                        closeNanos[0] = System.nanoTime(); // the runner closes the context when this returns
                    });
            long closeMs = (System.nanoTime() - closeNanos[0]) / 1_000_000;
            long limitMs = TIMEOUT_MS + GreenletHubs.KILL_GRACE.toMillis();
            assertThat(closeMs).as("the close took about the timeout plus the grace (%d ms), not the hubs' 60 s", limitMs)
                    .isGreaterThanOrEqualTo(TIMEOUT_MS).isLessThan(limitMs + 5_000);
            assertThat(output).contains("Hub 'greenlet-0' abandoned").contains("'cpu-loop'")
                    .contains("Hub 'greenlet-1' abandoned").contains("'deadlocked-wait'")
                    .contains(GreenletProperties.SHUTDOWN_TIMEOUT);
        } finally {
            stuck.set(false);
            never.countDown();
            for (Greenlet<?> g : held) {
                if (g != null) {
                    assertThat(g.join(BOUND)).as("%s ended once released", g).isTrue();
                }
            }
        }
    }
}
