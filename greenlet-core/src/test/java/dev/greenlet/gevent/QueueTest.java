package dev.greenlet.gevent;

import static dev.greenlet.Gevent.joinall;
import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import dev.greenlet.Parked;
import dev.greenlet.Timeout;
import dev.greenlet.event.AsyncResult;
import dev.greenlet.queue.Channel;
import dev.greenlet.queue.Empty;
import dev.greenlet.queue.Queue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * gevent's {@code src/gevent/tests/test__queue.py}, class {@code TestQueue}, at tag 22.10.2,
 * ported one test per gevent test. gevent's delays of 0.01 to 0.1 s become {@code SHORT_MS}.
 */
class QueueTest extends HubTestSupport {

    /** A gevent port: its sleeps and timeouts run in virtual time, so its order holds under any load. */
    @Override
    protected boolean onVirtualTime() {
        return true;
    }

    /** {@code test_send_first}. */
    @Test
    void sendFirst() {
        inHub(() -> {
            Queue<String> q = new Queue<>();
            q.put("hi");
            assertThat(q.peek()).isEqualTo("hi");
            assertThat(q.get()).isEqualTo("hi");
        });
    }

    /** {@code test_peek_empty}: a timed peek of an empty queue raises Empty (gevent's LoopExit part has no Java meaning). */
    @Test
    void peekEmpty() {
        inHub(() -> {
            Queue<String> q = new Queue<>();
            assertThatThrownBy(q::peekNowait).isInstanceOf(Empty.class);
            Greenlet<Void> g = spawn(() -> {
                assertThatThrownBy(() -> q.peek(Duration.ofMillis(10))).isInstanceOf(Empty.class);
                log("peek timed out");
            });
            sleep(SHORT_MS);
            g.get();
            assertThat(events).containsExactly("peek timed out");
        });
    }

    /** {@code test_peek_multi_greenlet}: a waiting peek gets the item and leaves it in the queue. */
    @Test
    void peekMultiGreenlet() {
        inHub(() -> {
            Queue<Integer> q = new Queue<>();
            Greenlet<Integer> g = spawn(() -> q.peek());
            sleep(0);
            q.put(1);
            g.join();
            assertThat(g.exception()).isNull();
            assertThat(g.value()).isEqualTo(1);
            assertThat(q.peek()).isEqualTo(1);
        });
    }

    /** {@code test_send_last}. */
    @Test
    void sendLast() {
        inHub(() -> {
            Queue<String> q = new Queue<>();
            Greenlet<String> p = spawn(() -> {
                try (var t = Timeout.start(Duration.ofMillis(LONG_MS))) {
                    assertThat(q.get()).isEqualTo("hi2");
                }
                return "OK";
            });
            sleep(10);
            q.put("hi2");
            sleep(10);
            assertThat(p.get(Duration.ZERO)).isEqualTo("OK");
        });
    }

    /** {@code test_max_size}. */
    @Test
    void maxSize() {
        inHub(() -> {
            Queue<String> q = new Queue<>(2);
            Greenlet<String> p = spawn(() -> {
                q.put("a");
                log("a");
                q.put("b");
                log("b");
                q.put("c");
                log("c");
                return "OK";
            });
            sleep(0);
            assertThat(events).containsExactly("a", "b");
            assertThat(q.get()).isEqualTo("a");
            sleep(0);
            assertThat(events).containsExactly("a", "b", "c");
            assertThat(q.get()).isEqualTo("b");
            assertThat(q.get()).isEqualTo("c");
            assertThat(p.get(Duration.ZERO)).isEqualTo("OK");
        });
    }

    /** {@code test_zero_max_size}: a channel's put waits for a getter. */
    @Test
    void zeroMaxSize() {
        inHub(() -> {
            Channel<String> q = new Channel<>();
            AsyncResult<String> e1 = new AsyncResult<>();
            AsyncResult<String> e2 = new AsyncResult<>();
            Greenlet<Void> p1 = spawn(() -> {
                q.put("hi");
                e1.set("done");
            });
            Parked.awaitParked(p1, q); // gevent sleeps 0.001 s here: waiting for the put to park is the bounded form
            assertThat(e1.isDone()).isFalse();
            Greenlet<Boolean> p2 = spawn(() -> e2.set(q.get()));
            assertThat(e2.get()).isEqualTo("hi");
            assertThat(e1.get()).isEqualTo("done");
            joinall(List.of(p1, p2), Duration.ZERO, false);
            assertThat(p1.isDead() && p2.isDead()).isTrue();
        });
    }

    /** {@code test_multiple_waiters}. */
    @Test
    void multipleWaiters() {
        inHub(() -> {
            Queue<String> q = new Queue<>();
            List<String> sendings = List.of("1", "2", "3", "4");
            List<AsyncResult<String>> evts = new ArrayList<>();
            for (int i = 0; i < sendings.size(); i++) {
                AsyncResult<String> evt = new AsyncResult<>();
                evts.add(evt);
                spawn(() -> evt.set(q.get()));
            }
            sleep(10);
            Set<String> results = new HashSet<>();
            Runnable collect = () -> {
                for (AsyncResult<String> e : evts) {
                    if (e.await(Duration.ofMillis(1))) {
                        results.add(e.get());
                    }
                }
            };
            q.put(sendings.get(0));
            collect.run();
            assertThat(results).hasSize(1);
            q.put(sendings.get(1));
            collect.run();
            assertThat(results).hasSize(2);
            q.put(sendings.get(2));
            q.put(sendings.get(3));
            collect.run();
            assertThat(results).hasSize(4);
        });
    }

    /** {@code test_waiters_that_cancel}: a getter ended by its Timeout took nothing. */
    @Test
    void waitersThatCancel() {
        inHub(() -> {
            Queue<String> q = new Queue<>();
            AsyncResult<String> evt = new AsyncResult<>();
            spawn(() -> doReceive(q, evt));
            assertThat(evt.get()).isEqualTo("timed out");
            q.put("hi");
            assertThat(q.get()).isEqualTo("hi");
        });
    }

    /** {@code test_senders_that_die}. */
    @Test
    void sendersThatDie() {
        inHub(() -> {
            Queue<String> q = new Queue<>();
            spawn(() -> q.put("sent"));
            assertThat(q.get()).isEqualTo("sent");
        });
    }

    /** {@code test_two_waiters_one_dies}. */
    @Test
    void twoWaitersOneDies() {
        inHub(() -> {
            Queue<String> q = new Queue<>();
            AsyncResult<String> dying = new AsyncResult<>();
            AsyncResult<String> waiting = new AsyncResult<>();
            spawn(() -> doReceive(q, dying));
            spawn(() -> waiting.set(q.get()));
            sleep(SHORT_MS);
            q.put("hi");
            assertThat(dying.get()).isEqualTo("timed out");
            assertThat(waiting.get()).isEqualTo("hi");
        });
    }

    /** {@code test_two_bogus_waiters}. */
    @Test
    void twoBogusWaiters() {
        inHub(() -> {
            Queue<String> q = new Queue<>();
            AsyncResult<String> e1 = new AsyncResult<>();
            AsyncResult<String> e2 = new AsyncResult<>();
            spawn(() -> doReceive(q, e1));
            spawn(() -> doReceive(q, e2));
            sleep(SHORT_MS);
            q.put("sent");
            assertThat(e1.get()).isEqualTo("timed out");
            assertThat(e2.get()).isEqualTo("timed out");
            assertThat(q.get()).isEqualTo("sent");
        });
    }

    /** gevent's {@code do_receive}: a get under {@code Timeout(0, RuntimeError())}. */
    private static void doReceive(Queue<String> q, AsyncResult<String> evt) {
        try (var t = Timeout.start(Duration.ZERO, new IllegalStateException("timeout 0"))) {
            String result = q.get();
            evt.set(result);
        } catch (IllegalStateException expected) {
            evt.set("timed out");
        }
    }
}
