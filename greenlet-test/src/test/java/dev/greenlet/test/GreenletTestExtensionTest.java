package dev.greenlet.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * {@code @GreenletTest} as JUnit runs it: each nested class below is run through the JUnit
 * Platform launcher (they are not run by the build on their own: nested static classes are not
 * selected), and the outcome of its test is asserted.
 */
class GreenletTestExtensionTest {

    /** Set while this class runs a nested one: they run only so (a -Dtest pattern may select them too). */
    private static volatile boolean launching;

    /** For the nested classes' {@code @EnabledIf}. */
    static boolean launchedByTheOuterTest() {
        return launching;
    }

    /** Runs {@code testClass}'s tests; returns the failures' messages (empty if all passed). */
    private static synchronized List<Throwable> run(Class<?> testClass) {
        launching = true;
        try {
            return launch(testClass);
        } finally {
            launching = false;
        }
    }

    private static List<Throwable> launch(Class<?> testClass) {
        List<Throwable> failures = new ArrayList<>();
        int[] finished = { 0 };
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build(),
                new TestExecutionListener() {
                    @Override
                    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                        if (id.isTest()) {
                            finished[0]++;
                            result.getThrowable().ifPresent(failures::add);
                        }
                    }
                });
        assertThat(finished[0]).as("tests of " + testClass.getSimpleName() + " run").isPositive();
        return failures;
    }

    /**
     * The race: two greenlets sell the last item, each checking the stock, then, after a
     * {@code sleep(0)}, taking it; safe only in FIFO order. Returns the stock left (below 0:
     * oversold). Run it in a greenlet of a hub.
     */
    static int sellTheLastItemTwice() {
        int[] stock = { 1 };
        Greenlet<?> a = Gevent.spawn(() -> {
            if (stock[0] > 0) {
                Gevent.sleep(0);
                stock[0]--;
            }
        });
        Greenlet<?> b = Gevent.spawn(() -> {
            Gevent.sleep(0);
            if (stock[0] > 0) {
                Gevent.sleep(0);
                stock[0]--;
            }
        });
        Gevent.joinall(List.of(a, b));
        return stock[0];
    }

    /** The race, failing the test when it oversells. */
    static void sellOnce() {
        int stock = sellTheLastItemTwice();
        Assertions.assertTrue(stock >= 0, "oversold: stock " + stock);
    }

    @EnabledIf("dev.greenlet.test.GreenletTestExtensionTest#launchedByTheOuterTest")
    @GreenletTest
    static class RaceInFifo {
        @Test
        void sells() {
            sellOnce();
        }
    }

    @EnabledIf("dev.greenlet.test.GreenletTestExtensionTest#launchedByTheOuterTest")
    @GreenletTest(seeds = 100)
    static class RaceUnderSeeds {
        @Test
        void sells() {
            sellOnce();
        }
    }

    @EnabledIf("dev.greenlet.test.GreenletTestExtensionTest#launchedByTheOuterTest")
    static class TimeWithHubParameter {
        @Test
        @GreenletTest
        void sleepsThirtySeconds(TestHub hub) {
            long start = System.nanoTime();
            Gevent.sleep(Duration.ofSeconds(30));
            String r = Gevent.withTimeout(Duration.ofSeconds(10), () -> {
                Gevent.sleep(Duration.ofMinutes(1));
                return "slow";
            }, "fallback");
            Assertions.assertEquals("fallback", r);
            Assertions.assertEquals(Duration.ofSeconds(40), hub.currentTime());
            Assertions.assertTrue(System.nanoTime() - start < 1_000_000_000L, "well under a second of wall time");
        }
    }

    @EnabledIf("dev.greenlet.test.GreenletTestExtensionTest#launchedByTheOuterTest")
    @GreenletTest
    static class LeavesAGreenletAlive {
        @Test
        void spawnsAndForgets() {
            Gevent.spawn(() -> Gevent.sleep(Duration.ofSeconds(1))).join(Duration.ZERO);
            Gevent.spawn(() -> new dev.greenlet.event.Event().await());
        }
    }

    @EnabledIf("dev.greenlet.test.GreenletTestExtensionTest#launchedByTheOuterTest")
    @GreenletTest
    static class UnexpectedFailure {
        @Test
        void greenletFails() {
            Gevent.spawn(() -> {
                throw new IllegalStateException("boom");
            }).join();
        }
    }

    @EnabledIf("dev.greenlet.test.GreenletTestExtensionTest#launchedByTheOuterTest")
    @GreenletTest
    static class ExpectedFailure {
        @Test
        void greenletFails(TestHub hub) {
            List<Throwable> failures = hub.expectFailures();
            Gevent.spawn(() -> {
                throw new IllegalStateException("boom");
            }).join();
            Assertions.assertEquals(1, failures.size());
        }
    }

    @Test
    void fifoPassesAndSeedsFindTheRaceAndNameTheSeed() {
        assertThat(run(RaceInFifo.class)).as("FIFO").isEmpty();
        List<Throwable> failures = run(RaceUnderSeeds.class);
        assertThat(failures).hasSize(1);
        String message = failures.get(0).getMessage();
        assertThat(message).contains("@GreenletTest(seed = ").contains("oversold");
        Matcher m = Pattern.compile("failed under seed (\\d+)").matcher(message);
        assertThat(m.find()).as(message).isTrue();
        long seed = Long.parseLong(m.group(1));
        // Replayed with the seed it names, it fails again, every time.
        for (int i = 0; i < 3; i++) {
            try (TestHub replay = new TestHub(seed)) {
                Throwable t = Assertions.assertThrows(Throwable.class, () -> replay.run(GreenletTestExtensionTest::sellOnce));
                assertThat(t).hasMessageContaining("oversold");
            }
        }
    }

    @Test
    void virtualTimeAndTheHubParameter() {
        assertThat(run(TimeWithHubParameter.class)).isEmpty();
    }

    @Test
    void aGreenletLeftAliveFailsTheTest() {
        assertThat(run(LeavesAGreenletAlive.class)).singleElement().satisfies(
                t -> assertThat(t).hasMessageContaining("still alive when the test ended"));
    }

    @Test
    void anUnexpectedGreenletFailureFailsTheTestAndAnExpectedOneDoesNot() {
        assertThat(run(UnexpectedFailure.class)).singleElement().satisfies(
                t -> assertThat(t).hasMessageContaining("failed").hasMessageContaining("expectFailures()"));
        assertThat(run(ExpectedFailure.class)).isEmpty();
    }

    /** A field the test writes: each seed must see a fresh instance, or seed N's failure would not replay. */
    @EnabledIf("dev.greenlet.test.GreenletTestExtensionTest#launchedByTheOuterTest")
    @GreenletTest(seeds = 5)
    static class FieldStateUnderSeeds {
        private int runs;
        private TestHub before;

        @org.junit.jupiter.api.BeforeEach
        void remember(TestHub hub) {
            before = hub;
        }

        @Test
        void runsOncePerInstance(TestHub hub) {
            runs++;
            Assertions.assertEquals(1, runs, "a seed saw an earlier seed's instance");
            Assertions.assertSame(before, hub, "@BeforeEach got this seed's hub");
        }
    }

    /** A @Nested class and a @RepeatedTest of a @GreenletTest class run in the hub, on virtual time. */
    @EnabledIf("dev.greenlet.test.GreenletTestExtensionTest#launchedByTheOuterTest")
    @GreenletTest
    static class NestedAndRepeated {
        @org.junit.jupiter.api.RepeatedTest(2)
        void repeated(TestHub hub) {
            Gevent.sleep(Duration.ofSeconds(30));
            Assertions.assertEquals(Duration.ofSeconds(30), hub.currentTime());
        }

        @org.junit.jupiter.api.Nested
        class Inner {
            @Test
            void nested(TestHub hub) {
                Gevent.sleep(Duration.ofSeconds(30));
                Assertions.assertEquals(Duration.ofSeconds(30), hub.currentTime());
            }
        }
    }

    @Test
    void eachSeedRunsOnAFreshInstance() {
        assertThat(run(FieldStateUnderSeeds.class)).isEmpty();
    }

    @Test
    void nestedClassesAndTestTemplatesRunInTheHub() {
        assertThat(run(NestedAndRepeated.class)).isEmpty();
    }
}
