package dev.greenlet.gevent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.HubTestSupport;
import dev.greenlet.pool.Pool;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** gevent's {@code src/gevent/tests/test__pool.py}, class {@code TestPool0}, at tag 22.10.2. */
class Pool0Test extends HubTestSupport {

    /** A gevent port: its sleeps and timeouts run in virtual time, so its order holds under any load. */
    @Override
    protected boolean onVirtualTime() {
        return true;
    }

    /** {@code test_wait_full}: a pool of size 0 is accepted, full, and has no slot to wait for. */
    @Test
    void waitFull() {
        inHub(() -> {
            Pool p = new Pool(0);
            assertThat(p.freeCount()).isZero();
            assertThat(p.full()).isTrue();
            assertThat(p.waitAvailable(Duration.ofMillis(10))).isZero();
        });
    }
}
