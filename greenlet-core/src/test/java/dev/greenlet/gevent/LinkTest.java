package dev.greenlet.gevent;

import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import dev.greenlet.event.AsyncResult;
import dev.greenlet.queue.Channel;
import dev.greenlet.queue.Queue;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * gevent's {@code src/gevent/tests/test__greenlet.py}, class {@code TestLink}, at tag 22.10.2,
 * ported one test per gevent test: an {@link AsyncResult} or a queue's {@code put} as a link.
 */
class LinkTest extends HubTestSupport {

    /** A gevent port: its sleeps and timeouts run in virtual time, so its order holds under any load. */
    @Override
    protected boolean onVirtualTime() {
        return true;
    }

    /** {@code test_link_to_asyncresult}, also when linked after the death. */
    @Test
    void linkToAsyncresult() {
        inHub(() -> {
            Greenlet<Integer> p = spawn(() -> 100);
            AsyncResult<Integer> event = new AsyncResult<>();
            p.link(event);
            assertThat(event.get()).isEqualTo(100);
            for (int i = 0; i < 3; i++) {
                AsyncResult<Integer> event2 = new AsyncResult<>();
                p.link(event2);
                assertThat(event2.get()).isEqualTo(100);
            }
        });
    }

    /** {@code test_link_to_asyncresult_exception}. */
    @Test
    void linkToAsyncresultException() {
        IllegalStateException err = new IllegalStateException("test_link_to_asyncresult_exception");
        List<Greenlet<Integer>> failed = new ArrayList<>();
        inHub(() -> {
            Greenlet<Integer> p = spawn(() -> {
                throw err;
            });
            failed.add(p);
            AsyncResult<Integer> event = new AsyncResult<>();
            p.link(event);
            assertThatThrownBy(event::get).isSameAs(err);
            for (int i = 0; i < 3; i++) {
                AsyncResult<Integer> event2 = new AsyncResult<>();
                p.link(event2);
                assertThatThrownBy(event2::get).isSameAs(err);
            }
        });
        // p failed with err: gevent reports it through handle_error, once, however many links read it.
        assertThat(expectReported()).containsExactly(err);
        assertThat(reportedGreenlets).containsExactlyElementsOf(failed);
    }

    /** {@code test_link_to_queue}. */
    @Test
    void linkToQueue() {
        inHub(() -> {
            Greenlet<Integer> p = spawn(() -> 100);
            Queue<Greenlet<Integer>> q = new Queue<>();
            p.link(q::put);
            assertThat(q.get().get()).isEqualTo(100);
            for (int i = 0; i < 3; i++) {
                p.link(q::put);
                assertThat(q.get().get()).isEqualTo(100);
            }
        });
    }

    /** {@code test_link_to_channel}. */
    @Test
    void linkToChannel() {
        inHub(() -> {
            Greenlet<Integer> p1 = spawn(() -> 101);
            Greenlet<Integer> p2 = spawn(() -> 102);
            Greenlet<Integer> p3 = spawn(() -> 103);
            Channel<Greenlet<Integer>> q = new Channel<>();
            p1.link(q::put);
            p2.link(q::put);
            p3.link(q::put);
            List<Integer> results = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                results.add(q.get().get());
            }
            assertThat(results).containsExactlyInAnyOrder(101, 102, 103);
        });
    }
}
