package dev.greenlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the core tests: a fresh hub per test whose failures are recorded rather than logged,
 * an event log for ordering assertions, and checks after each test that it left no greenlet
 * alive and that no greenlet failed unless the test declared it ({@link #expectReported()}).
 */
public abstract class HubTestSupport {

    /** Delays come from these few constants only; the tests assert order and overlap, not time. */
    protected static final long SHORT_MS = 50;
    protected static final long MEDIUM_MS = 200;
    protected static final long LONG_MS = 5_000;

    protected Hub hub;
    protected final List<String> events = Collections.synchronizedList(new ArrayList<>());
    /** Failures the hub reported; a test that expects some reads them through {@link #expectReported()}. */
    protected final List<Throwable> reported = Collections.synchronizedList(new ArrayList<>());
    protected final List<Greenlet<?>> reportedGreenlets = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean failuresExpected;

    /**
     * Whether this test's hub runs on virtual time ({@link VirtualTime}, with autojump): a test
     * whose order or result depends on sleeps and timeouts says so, and then runs them in no
     * real time and in the same order under any load. (Tests outside this module use
     * {@code dev.greenlet.test.TestHub}, built on the same hook.)
     */
    protected boolean onVirtualTime() {
        return false;
    }

    @BeforeEach
    protected void createHub() {
        hub = onVirtualTime()
                ? new Hub(getClass().getSimpleName(), Hub.Engine.forNewHubs(), new VirtualTime()) { }
                : new Hub(getClass().getSimpleName());
        assertThat(hub.engine()).as("the engine this test run was asked to use").isEqualTo(EngineSelection.engine());
        hub.setErrorHandler((g, e) -> {
            reportedGreenlets.add(g);
            reported.add(e);
        });
    }

    @AfterEach
    protected void hubIsEmptyAfterTest() {
        try {
            // Give greenlets that were killed without blocking a moment to finish their turns.
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (hub.liveCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(hub.greenlets()).as("greenlets left alive by the test").isEmpty();
            if (!failuresExpected) {
                assertThat(reported).as("greenlet failures the test did not declare (expectReported())").isEmpty();
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        } finally {
            hub.close();
        }
    }

    /**
     * Declares that this test expects greenlet failures, and returns those reported so far (the
     * live list) to assert on. Without it, any reported failure fails the test after it ran.
     */
    protected List<Throwable> expectReported() {
        failuresExpected = true;
        return reported;
    }

    protected void log(String event) {
        events.add(event);
    }

    /** Runs {@code body} as a greenlet of this test's hub and waits for it. */
    protected void inHub(Runnable body) {
        hub.run(body);
    }

    /**
     * Blocks the calling greenlet's thread without a cooperative point of the test's engine:
     * {@code Thread.sleep} on the permit engine (gevent without patch_all), a CPU loop on the
     * carrier engine (where Thread.sleep cooperates).
     */
    protected void blockWithoutACooperativePoint(long millis) {
        if (hub.engine() == Hub.Engine.CARRIER) {
            busyFor(millis);
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    protected static void busyFor(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
