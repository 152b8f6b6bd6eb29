package dev.greenlet.gevent;

import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.withTimeout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.greenlet.HubTestSupport;
import dev.greenlet.Timeout;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * gevent's {@code src/gevent/tests/test__timeout.py}, class {@code Test}, at tag 22.10.2,
 * ported one test per gevent test. gevent's {@code SHOULD_EXPIRE} (10 ms) is kept; its wait
 * for ever ({@code get_hub().switch()}) is a sleep of {@code LONG_MS} that the timeout ends.
 */
class TimeoutTest extends HubTestSupport {

    /** A gevent port: its sleeps and timeouts run in virtual time, so its order holds under any load. */
    @Override
    protected boolean onVirtualTime() {
        return true;
    }

    private static final Duration SHOULD_EXPIRE = Duration.ofMillis(10);
    private static final long SHOULD_NOT_EXPIRE_MS = SHORT_MS * 4;

    /** gevent's {@code _test}: waits until {@code timeout} lands; closes it if asked. */
    private static Timeout waitFor(Timeout timeout, boolean close) {
        try {
            sleep(LONG_MS);
            return fail("must raise Timeout");
        } catch (Timeout ex) {
            if (ex != timeout) {
                throw ex;
            }
            if (close) {
                ex.close();
            }
            return ex;
        }
    }

    /** gevent's {@code _check_expires}: a fired timeout is no longer pending and starts again without a close. */
    private void checkExpires(Timeout timeout) {
        timeout.start();
        waitFor(timeout, false);
        assertThat(timeout.isPending()).as("pending once fired").isFalse();
        timeout.start(); // restart
        waitFor(timeout, true);
        assertThat(timeout.isPending()).isFalse();
    }

    /** {@code test_expires}. */
    @Test
    void expires() {
        inHub(() -> checkExpires(new Timeout(SHOULD_EXPIRE)));
    }

    /** {@code test_expires_false}'s Java meaning: a timeout that raises a given exception restarts as well. */
    @Test
    void expiresFalse() {
        inHub(() -> {
            IllegalStateException given = new IllegalStateException("XXX");
            Timeout timeout = new Timeout(SHOULD_EXPIRE, given);
            for (int round = 0; round < 2; round++) {
                timeout.start();
                assertThatThrownBy(() -> sleep(LONG_MS)).isSameAs(given);
                assertThat(timeout.isPending()).isFalse();
            }
            timeout.close();
        });
    }

    /** {@code test_context_manager}: try-with-resources is gevent's {@code with timeout:}. */
    @Test
    void contextManager() {
        inHub(() -> {
            Timeout timeout = new Timeout(SHOULD_EXPIRE);
            assertThatThrownBy(() -> {
                try (Timeout t = timeout.start()) {
                    sleep(LONG_MS);
                }
            }).isSameAs(timeout);
            assertThat(timeout.isPending()).isFalse();
        });
    }

    /** {@code test_cancel}: a cancelled timeout never fires and is not pending. */
    @Test
    void cancel() {
        inHub(() -> {
            Timeout timeout = new Timeout(SHOULD_EXPIRE);
            timeout.start();
            timeout.cancel();
            sleep(SHOULD_NOT_EXPIRE_MS);
            assertThat(timeout.isPending()).isFalse();
            timeout.close();
        });
    }

    /** {@code test_with_timeout}. */
    @Test
    void withTimeoutTest() {
        inHub(() -> {
            assertThatThrownBy(() -> withTimeout(SHOULD_EXPIRE, () -> {
                sleep(SHOULD_NOT_EXPIRE_MS);
                return null;
            })).isInstanceOf(Timeout.class);
            Object x = new Object();
            Object r = withTimeout(SHOULD_EXPIRE, () -> {
                sleep(SHOULD_NOT_EXPIRE_MS);
                return null;
            }, x);
            assertThat(r).isSameAs(x);
            r = withTimeout(Duration.ofMillis(SHOULD_NOT_EXPIRE_MS), () -> {
                sleep(SHOULD_EXPIRE);
                return null;
            }, x);
            assertThat(r).isNull();
        });
    }
}
