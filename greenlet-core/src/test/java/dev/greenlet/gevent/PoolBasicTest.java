package dev.greenlet.gevent;

import static dev.greenlet.Gevent.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import dev.greenlet.pool.Pool;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * gevent's {@code src/gevent/tests/test__pool.py}, class {@code PoolBasicTests}, at tag
 * 22.10.2, ported one test per gevent test.
 */
class PoolBasicTest extends HubTestSupport {

    /** A gevent port: its sleeps and timeouts run in virtual time, so its order holds under any load. */
    @Override
    protected boolean onVirtualTime() {
        return true;
    }

    /** {@code test_execute_async}: applyAsync on a full pool returns at once, and the work runs later. */
    @Test
    void executeAsync() {
        inHub(() -> {
            Pool p = new Pool(2);
            assertThat(p.freeCount()).isEqualTo(2);
            List<Integer> r = new ArrayList<>();
            Greenlet<Boolean> first = p.spawn(() -> r.add(1));
            assertThat(p.freeCount()).isEqualTo(1);
            first.get();
            assertThat(r).containsExactly(1);
            sleep(0);
            assertThat(p.freeCount()).isEqualTo(2);

            p.applyAsync(() -> r.add(2));
            assertThat(p.freeCount()).isEqualTo(1);
            assertThat(r).containsExactly(1);
            p.applyAsync(() -> r.add(3));
            assertThat(p.freeCount()).isZero();
            assertThat(r).containsExactly(1);
            Greenlet<Boolean> fourth = p.applyAsync(() -> r.add(4)); // the pool is full: returns at once
            assertThat(r).containsExactly(1);
            assertThat(fourth.get()).isTrue();
            p.join();
            assertThat(r).containsExactlyInAnyOrder(1, 2, 3, 4);
        });
    }

    /** {@code test_discard}. */
    @Test
    void discard() {
        inHub(() -> {
            Pool p = new Pool(1);
            Greenlet<Void> first = p.spawn(() -> sleep(LONG_MS * 100));
            p.discard(first);
            first.kill();
            assertThat(first.isDead()).isTrue();
            assertThat(p.size()).isZero();
            assertThat(p.freeCount()).isEqualTo(1);
        });
    }

    /** {@code test_apply}. */
    @Test
    void apply() {
        inHub(() -> assertThat(new Pool(1).apply(() -> 1 + 1)).isEqualTo(2));
    }
}
