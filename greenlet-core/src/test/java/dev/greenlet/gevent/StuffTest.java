package dev.greenlet.gevent;

import static dev.greenlet.Gevent.joinall;
import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * gevent's {@code src/gevent/tests/test__greenlet.py}, class {@code TestStuff}, at tag 22.10.2,
 * ported one test per gevent test. gevent's {@code ExpectedError} is an
 * {@link IllegalStateException} with the same message.
 */
class StuffTest extends HubTestSupport {

    /** A gevent port: its sleeps and timeouts run in virtual time, so its order holds under any load. */
    @Override
    protected boolean onVirtualTime() {
        return true;
    }

    /** {@code test_wait_noerrors}. */
    @Test
    void waitNoerrors() {
        inHub(() -> {
            Greenlet<Integer> x = spawn(() -> 1);
            Greenlet<Integer> y = spawn(() -> 2);
            Greenlet<Integer> z = spawn(() -> 3);
            joinall(List.of(x, y, z), null, true);
            assertThat(List.of(x.value(), y.value(), z.value())).containsExactly(1, 2, 3);
        });
    }

    /** {@code test_wait_error}: joinall with raiseError rethrows the failure. */
    @Test
    void waitError() {
        List<Greenlet<?>> failed = new ArrayList<>();
        inHub(() -> {
            Greenlet<Integer> x = spawn(() -> {
                sleep(SHORT_MS);
                return 1;
            });
            Greenlet<Integer> y = spawn(() -> {
                throw new IllegalStateException("test_wait_error");
            });
            failed.add(y);
            assertThatThrownBy(() -> joinall(List.of(x, y), null, true)).hasMessage("test_wait_error");
            assertThatThrownBy(() -> joinall(List.of(y), null, true)).hasMessage("test_wait_error");
            x.join();
        });
        // y failed (x did not): gevent reports y's error through handle_error.
        assertThat(expectReported()).singleElement().satisfies(e -> assertThat(e).hasMessage("test_wait_error"));
        assertThat(reportedGreenlets).containsExactlyElementsOf(failed);
    }

    /** {@code test_joinall_exception_order}: the earliest failure is the one raised. */
    @Test
    void joinallExceptionOrder() {
        List<Greenlet<?>> failed = new ArrayList<>();
        inHub(() -> {
            Greenlet<Void> a = spawn(() -> {
                sleep(SHORT_MS);
                throw new IllegalStateException("first");
            });
            Greenlet<Void> b = spawn(() -> {
                throw new IllegalStateException("second");
            });
            failed.add(b);
            failed.add(a); // b fails first, a after its sleep
            assertThatThrownBy(() -> joinall(List.of(a, b), null, true)).hasMessage("second");
            joinall(List.of(a, b));
        });
        // Both failed, each reported through handle_error as it died.
        assertThat(expectReported()).extracting(Throwable::getMessage).containsExactly("second", "first");
        assertThat(reportedGreenlets).containsExactlyElementsOf(failed);
    }

    /** {@code test_joinall_count_raise_error}: count still works when failures are not raised. */
    @Test
    void joinallCountRaiseError() {
        List<Greenlet<?>> failed = new ArrayList<>();
        inHub(() -> {
            Greenlet<Void> sleeper = spawn(() -> {
                while (true) {
                    sleep(SHORT_MS);
                }
            });
            Greenlet<Void> raiser = spawn(() -> {
                throw new IllegalStateException("count");
            });
            failed.add(raiser);
            List<Greenlet<Void>> done = joinall(List.of(sleeper, raiser), null, false, 1);
            assertThat(done).containsExactly(raiser);
            assertThat(raiser.isDead()).isTrue();
            assertThat(sleeper.isDead()).isFalse();
            sleeper.kill();
            assertThat(sleeper.isDead()).isTrue();
        });
        // The raiser's failure is reported through handle_error even though joinall does not raise it;
        // the sleeper's kill (GreenletExit) is not a failure.
        assertThat(expectReported()).singleElement().satisfies(e -> assertThat(e).hasMessage("count"));
        assertThat(reportedGreenlets).containsExactlyElementsOf(failed);
    }

    /** {@code test_multiple_listeners_error}: a failing link does not keep the others from running. */
    @Test
    void multipleListenersError() {
        List<Integer> results = new ArrayList<>();
        List<Greenlet<?>> linked = new ArrayList<>();
        inHub(() -> {
            Greenlet<Integer> p = spawn(() -> 5);
            linked.add(p);
            p.link(g -> {
                results.add(10);
                throw new IllegalStateException("listener1");
            });
            p.link(g -> {
                results.add(20);
                throw new IllegalStateException("listener2");
            });
            p.link(g -> {
                throw new IllegalStateException("listener3");
            });
            sleep(SHORT_MS);
            assertThat(results).containsExactly(10, 20);
        });
        // Each failing link is reported through handle_error (gevent: "all of the errors should be
        // logged"), in link order, on the greenlet it was linked to.
        assertThat(expectReported()).hasSize(3)
                .allSatisfy(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                        .hasCauseInstanceOf(IllegalStateException.class))
                .extracting(e -> e.getCause().getMessage()).containsExactly("listener1", "listener2", "listener3");
        assertThat(reportedGreenlets).hasSize(3).containsOnly(linked.get(0));
    }

    /**
     * {@code test_multiple_listeners_error_unlink_Greenlet_link}: a link that unlinks another
     * while the dead greenlet notifies its links keeps that other from being called.
     */
    @Test
    void multipleListenersErrorUnlinkGreenletLink() {
        List<Integer> results = new ArrayList<>();
        List<Greenlet<?>> linked = new ArrayList<>();
        inHub(() -> {
            Greenlet<Integer> p = spawn(() -> 5);
            linked.add(p);
            List<Consumer<Greenlet<Integer>>> listeners = new ArrayList<>();
            listeners.add(g -> {
                g.unlink(listeners.get(1));
                results.add(5);
                throw new IllegalStateException("listener1");
            });
            listeners.add(g -> {
                g.unlink(listeners.get(0));
                results.add(5);
                throw new IllegalStateException("listener2");
            });
            listeners.add(g -> {
                throw new IllegalStateException("listener3");
            });
            listeners.forEach(p::link);
            sleep(SHORT_MS);
            assertThat(results).containsExactly(5);
            p.kill();
        });
        // The two links that ran and failed are reported through handle_error; the unlinked one is not.
        assertThat(expectReported()).extracting(e -> e.getCause().getMessage()).containsExactly("listener1", "listener3");
        assertThat(reportedGreenlets).hasSize(2).containsOnly(linked.get(0));
    }
}
