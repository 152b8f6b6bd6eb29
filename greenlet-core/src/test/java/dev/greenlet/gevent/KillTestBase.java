package dev.greenlet.gevent;

import static dev.greenlet.Gevent.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * gevent's {@code src/gevent/tests/test__greenlet.py}, class {@code TestKill}, at tag 22.10.2:
 * the tests its subclasses share ({@link KillTest}, {@link KillAfterStartTest},
 * {@link KillAfterStartLaterTest}, {@link KillWhileRunningTest}), one per gevent test. The
 * {@code non_exc_exception} cases (killing with {@code 42}) have no Java meaning: Java's types
 * allow only throwables. gevent's {@code non_type_exception} ({@code Exception()}) is a checked
 * {@link Exception}.
 */
abstract class KillTestBase extends HubTestSupport {

    /** A gevent port: its sleeps and timeouts run in virtual time, so its order holds under any load. */
    @Override
    protected boolean onVirtualTime() {
        return true;
    }

    /** gevent's {@code _run_in_greenlet}. */
    void runInGreenlet(List<Integer> resultCollector) {
        resultCollector.add(1);
    }

    /** gevent's {@code _start_greenlet}: nothing here (the greenlet is killed before it starts). */
    void startGreenlet(Greenlet<Void> g) {
    }

    /** gevent's {@code _after_kill_greenlet}. */
    void afterKillGreenlet(Greenlet<Void> g) {
    }

    private void assertKilled(Greenlet<Void> g, Throwable exc) {
        for (int round = 0; round < 2; round++) {
            assertThat(g.isDead()).isTrue();
            assertThat(g.isDone()).isTrue();
            if (exc == null) {
                assertThat(g.isSuccessful()).isTrue();
                assertThat(g.isKilled()).isTrue();
                assertThat(g.exception()).isNull();
            } else {
                assertThat(g.isSuccessful()).isFalse();
                assertThat(g.isKilled()).isFalse();
                assertThat(g.exception()).isSameAs(exc);
            }
            sleep(10); // spin the loop to make sure it does not run
        }
    }

    private void kill(Greenlet<Void> g, boolean block, boolean killall, Throwable exc) {
        if (killall) {
            Gevent.killall(List.of(g), exc, block, null);
        } else {
            g.kill(exc, block, null);
        }
    }

    /** gevent's {@code _do_test}. */
    private void doTest(boolean block, boolean killall, Throwable exc) {
        List<Integer> result = Collections.synchronizedList(new ArrayList<>());
        List<Greenlet<?>> linkTest = new ArrayList<>();
        List<Greenlet<Void>> killed = new ArrayList<>();
        inHub(() -> {
            Greenlet<Void> g = new Greenlet<>(hub, null, () -> {
                runInGreenlet(result);
                return null;
            });
            killed.add(g);
            g.link(linkTest::add);
            startGreenlet(g);
            kill(g, block, killall, exc);
            if (!block) {
                sleep(SHORT_MS);
            }
            assertKilled(g, exc);
            kill(g, block, killall, exc); // a second kill must not hurt
            assertKilled(g, exc);
            afterKillGreenlet(g);
            assertThat(result).isEmpty();
            assertThat(linkTest).containsExactly(g);
        });
        if (exc == null) {
            assertThat(reported).isEmpty();
        } else {
            // Killed with an exception other than GreenletExit, the greenlet failed with it, and
            // gevent reports that failure (once, however often it is killed) through handle_error.
            assertThat(expectReported()).containsExactly(exc);
            assertThat(reportedGreenlets).containsExactlyElementsOf(killed);
        }
    }

    /** {@code test_block}. */
    @Test
    void block() {
        doTest(true, false, null);
    }

    /** {@code test_non_block}. */
    @Test
    void nonBlock() {
        doTest(false, false, null);
    }

    /** {@code test_block_killall}. */
    @Test
    void blockKillall() {
        doTest(true, true, null);
    }

    /** {@code test_non_block_killal}. */
    @Test
    void nonBlockKillal() {
        doTest(false, true, null);
    }

    /** {@code test_non_type_exception}. */
    @Test
    void nonTypeException() {
        doTest(true, false, new Exception());
    }

    /** {@code test_non_type_exception_non_block}. */
    @Test
    void nonTypeExceptionNonBlock() {
        doTest(false, false, new Exception());
    }

    /** {@code test_non_type_exception_killall}. */
    @Test
    void nonTypeExceptionKillall() {
        doTest(true, true, new Exception());
    }

    /** {@code test_non_type_exception_killall_non_block}. */
    @Test
    void nonTypeExceptionKillallNonBlock() {
        doTest(false, true, new Exception());
    }
}
