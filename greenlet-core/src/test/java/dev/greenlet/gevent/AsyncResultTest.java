package dev.greenlet.gevent;

import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;
import static dev.greenlet.Gevent.spawnLater;
import static dev.greenlet.Gevent.withTimeout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import dev.greenlet.Timeout;
import dev.greenlet.event.AsyncResult;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * gevent's {@code src/gevent/tests/test__event.py}, class {@code TestAsyncResult}, at tag
 * 22.10.2, ported one test per gevent test. gevent's {@code MyException} is an
 * {@link IllegalStateException}; its {@code DELAY} is {@code SHORT_MS}.
 */
class AsyncResultTest extends HubTestSupport {

    /** A gevent port: its sleeps and timeouts run in virtual time, so its order holds under any load. */
    @Override
    protected boolean onVirtualTime() {
        return true;
    }

    /** {@code test_link}: a null rawlink is refused; unlinking what was never linked does nothing. */
    @Test
    void link() {
        AsyncResult<String> ar = new AsyncResult<>();
        assertThatThrownBy(() -> ar.rawlink(null)).isInstanceOf(NullPointerException.class);
        ar.unlink((Runnable) null);
        ar.unlink((Runnable) null);
        assertThat(ar.toString()).isNotEmpty();
    }

    /** {@code test_set_exc}: a waiting get rethrows the exception set. */
    @Test
    void setExc() {
        inHub(() -> {
            AsyncResult<String> e = new AsyncResult<>();
            assertThat(e.exception()).isNull();
            IllegalStateException obj = new IllegalStateException("my exception");
            spawn(() -> {
                assertThatThrownBy(e::get).isSameAs(obj);
                log("caught");
            });
            e.setException(obj);
            sleep(0);
            assertThat(events).containsExactly("caught");
        });
    }

    /** {@code test_set}: a Timeout of 0 with a given exception ends the get before the value comes. */
    @Test
    void set() {
        inHub(() -> {
            AsyncResult<String> event1 = new AsyncResult<>();
            IllegalStateException timerExc = new IllegalStateException("interrupted");
            Greenlet<Boolean> g = spawnLater(Duration.ofMillis(SHORT_MS), () -> event1.set("hello event1"));
            try (Timeout t = Timeout.start(Duration.ZERO, timerExc)) {
                assertThatThrownBy(event1::get).isSameAs(timerExc);
            }
            g.kill();
        });
    }

    /** {@code test_set_with_timeout}. */
    @Test
    void setWithTimeout() {
        inHub(() -> {
            AsyncResult<String> event2 = new AsyncResult<>();
            String x = "X";
            assertThat(withTimeout(Duration.ofMillis(SHORT_MS), event2::get, x)).isSameAs(x);
        });
    }

    /** {@code test_nonblocking_get}: a get that may not wait raises Timeout. */
    @Test
    void nonblockingGet() {
        inHub(() -> {
            AsyncResult<String> ar = new AsyncResult<>();
            assertThatThrownBy(() -> ar.get(Duration.ZERO)).isInstanceOf(Timeout.class);
        });
    }
}
