package dev.greenlet.gevent;

import static dev.greenlet.Gevent.sleep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import dev.greenlet.event.Event;
import dev.greenlet.pool.Pool;
import org.junit.jupiter.api.Test;

/**
 * gevent's {@code src/gevent/tests/test__pool.py}, class {@code TestCoroutinePool}, at tag
 * 22.10.2, ported one test per gevent test.
 */
class CoroutinePoolTest extends HubTestSupport {

    /** A gevent port: its sleeps and timeouts run in virtual time, so its order holds under any load. */
    @Override
    protected boolean onVirtualTime() {
        return true;
    }

    /** {@code test_apply_async}. */
    @Test
    void applyAsync() {
        inHub(() -> {
            Event done = new Event();
            Pool pool = new Pool(2);
            pool.applyAsync(() -> {
                done.set();
                return null;
            });
            assertThat(done.await()).isTrue();
        });
    }

    /** {@code test_apply}. */
    @Test
    void apply() {
        inHub(() -> assertThat(new Pool(2).apply(() -> "return value")).isEqualTo("return value"));
    }

    /** {@code test_apply_raises}. */
    @Test
    void applyRaises() {
        IllegalStateException expected = new IllegalStateException("expected");
        inHub(() -> {
            Pool pool = new Pool(1);
            assertThatThrownBy(() -> pool.apply(() -> {
                throw expected;
            })).hasMessage("expected").isSameAs(expected);
        });
        // The pool's greenlet that ran the function failed: gevent reports it through handle_error.
        assertThat(expectReported()).singleElement().satisfies(e -> assertThat(e).hasMessage("expected").isSameAs(expected));
        assertThat(reportedGreenlets).singleElement().satisfies(g -> assertThat(g.exception()).isSameAs(expected));
    }

    /** {@code test_multiple_coros}. */
    @Test
    void multipleCoros() {
        inHub(() -> {
            Event evt = new Event();
            Pool pool = new Pool(2);
            Greenlet<Void> done = pool.spawn(() -> {
                log("cons1");
                evt.await();
                log("cons2");
            });
            pool.applyAsync(() -> {
                sleep(1);
                log("prod");
                evt.set();
                return null;
            });
            done.get();
        });
        assertThat(events).containsExactly("cons1", "prod", "cons2");
    }

    /** {@code test_reentrant}: apply from a member of a full pool runs inline. */
    @Test
    void reentrant() {
        inHub(() -> {
            Pool pool = new Pool(1);
            int result = pool.apply(() -> pool.apply(() -> 5 + 1));
            assertThat(result).isEqualTo(6);
            Event evt = new Event();
            pool.applyAsync(() -> {
                evt.set();
                return null;
            });
            assertThat(evt.await()).isTrue();
        });
    }
}
