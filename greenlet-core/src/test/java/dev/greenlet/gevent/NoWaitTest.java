package dev.greenlet.gevent;

import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import dev.greenlet.queue.Channel;
import dev.greenlet.queue.Empty;
import dev.greenlet.queue.Full;
import dev.greenlet.queue.Queue;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * gevent's {@code src/gevent/tests/test__queue.py}, class {@code TestNoWait}, at tag 22.10.2,
 * ported one test per gevent test. gevent's {@code loop.run_callback(f)} (run {@code f} in the
 * hub on its next iteration) is a spawned greenlet, which runs at the spawner's next switch.
 * Its 1 ms sleeps run in virtual time: the order they give holds under any load (a fresh-clone CI
 * run once failed here on a real 1 ms).
 */
class NoWaitTest extends HubTestSupport {

    /** A gevent port: its sleeps and timeouts run in virtual time, so its order holds under any load. */
    @Override
    protected boolean onVirtualTime() {
        return true;
    }

    /** gevent's {@code store_result} with {@code util.wrap_errors}: the value, or the exception as the value. */
    private static void storeResult(List<Object> result, Callable<?> fn) {
        try {
            result.add(fn.call());
        } catch (Full | Empty e) {
            result.add(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code test_put_nowait_simple}. */
    @Test
    void putNowaitSimple() {
        inHub(() -> {
            List<Object> result = new ArrayList<>();
            Queue<Integer> q = new Queue<>(1);
            spawn(() -> storeResult(result, () -> q.offer(2) ? "put" : null));
            spawn(() -> storeResult(result, () -> {
                q.putNowait(3);
                return "put";
            }));
            sleep(0);
            assertThat(result).hasSize(2);
            assertThat(result.get(0)).isEqualTo("put");
            assertThat(result.get(1)).isInstanceOf(Full.class);
        });
    }

    /** {@code test_get_nowait_simple}. */
    @Test
    void getNowaitSimple() {
        inHub(() -> {
            List<Object> result = new ArrayList<>();
            Queue<Integer> q = new Queue<>(1);
            q.put(4);
            spawn(() -> storeResult(result, q::getNowait));
            spawn(() -> storeResult(result, q::getNowait));
            sleep(0);
            assertThat(result).hasSize(2);
            assertThat(result.get(0)).isEqualTo(4);
            assertThat(result.get(1)).isInstanceOf(Empty.class);
        });
    }

    /** {@code test_get_nowait_unlock}: getNowait from a full queue lets the waiting putter in. */
    @Test
    void getNowaitUnlock() {
        inHub(() -> {
            List<Object> result = new ArrayList<>();
            Queue<Integer> q = new Queue<>(1);
            Greenlet<Void> p = spawn(() -> q.put(5));
            assertThat(q.isEmpty()).isTrue();
            sleep(0);
            assertThat(q.isFull()).isTrue();
            spawn(() -> storeResult(result, q::getNowait));
            sleep(0);
            assertThat(q.isEmpty()).isTrue();
            assertThat(result).containsExactly(5);
            assertThat(p.isDead()).isTrue();
        });
    }

    /** {@code test_get_nowait_unlock_channel}: getNowait takes a waiting putter's item. */
    @Test
    void getNowaitUnlockChannel() {
        inHub(() -> {
            List<Object> result = new ArrayList<>();
            Channel<Integer> q = new Channel<>();
            Greenlet<Void> p = spawn(() -> q.put(5));
            assertThat(q.isEmpty()).isTrue();
            assertThat(q.isFull()).isTrue();
            sleep(1); // as gevent: in virtual time, exactly 1 ms, whatever the load
            assertThat(q.isEmpty()).isTrue();
            assertThat(q.isFull()).isTrue();
            spawn(() -> storeResult(result, q::getNowait));
            sleep(1);
            assertThat(q.isEmpty()).isTrue();
            assertThat(q.isFull()).isTrue();
            assertThat(result).containsExactly(5);
            assertThat(p.isDead()).isTrue();
        });
    }

    /** {@code test_put_nowait_unlock}: putNowait hands the item to the waiting getter. */
    @Test
    void putNowaitUnlock() {
        inHub(() -> {
            List<Object> result = new ArrayList<>();
            Queue<Integer> q = new Queue<>();
            Greenlet<Integer> p = spawn(() -> q.get());
            assertThat(q.isEmpty()).isTrue();
            assertThat(q.isFull()).isFalse();
            sleep(1); // as gevent: in virtual time, exactly 1 ms, whatever the load
            assertThat(q.isEmpty()).isTrue();
            spawn(() -> storeResult(result, () -> {
                q.putNowait(10);
                return null;
            }));
            assertThat(p.isDead()).isFalse();
            sleep(1);
            assertThat(result).containsExactly((Object) null);
            assertThat(p.isDead()).isTrue();
            assertThat(p.value()).isEqualTo(10);
            assertThat(q.isEmpty()).isTrue();
        });
    }
}
