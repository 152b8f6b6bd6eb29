package dev.greenlet.gevent;

import static dev.greenlet.Gevent.sleep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.greenlet.HubTestSupport;
import dev.greenlet.Timeout;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * gevent's {@code src/gevent/tests/test__api_timeout.py}, class {@code Test}, at tag 22.10.2,
 * ported one test per gevent test. gevent's {@code DELAY} is {@code SHORT_MS}.
 */
class ApiTimeoutTest extends HubTestSupport {

    /** A gevent port: its sleeps and timeouts run in virtual time, so its order holds under any load. */
    @Override
    protected boolean onVirtualTime() {
        return true;
    }

    private static final Duration DELAY = Duration.ofMillis(SHORT_MS);

    /** {@code test_api}: the parts with a Java meaning (no exception classes, no False). */
    @Test
    void api() {
        inHub(() -> {
            // Nothing happens if the block finishes before the timeout expires.
            Timeout t = new Timeout(DELAY.multipliedBy(4));
            assertThat(t.isPending()).isFalse();
            try (Timeout started = t.start()) {
                assertThat(t.isPending()).isTrue();
                sleep(1);
            }
            assertThat(t.isPending()).isFalse();
            sleep(DELAY.multipliedBy(4));
            // Raised if the block outlasts it.
            Timeout expiring = new Timeout(DELAY);
            assertThatThrownBy(() -> {
                try (Timeout started = expiring.start()) {
                    sleep(DELAY.multipliedBy(10));
                }
            }).isSameAs(expiring);
            // A given exception is raised instead.
            assertThatThrownBy(() -> {
                try (Timeout started = Timeout.start(DELAY, new UncheckedIOException("Operation takes way too long", new java.io.IOException("timeout")))) {
                    sleep(DELAY.multipliedBy(10));
                }
            }).isInstanceOf(UncheckedIOException.class);
            // The timer can be cancelled inside the block.
            try (Timeout timer = Timeout.start(DELAY)) {
                timer.cancel();
                sleep(DELAY.multipliedBy(2));
            }
            // A null duration disables the timer.
            try (Timeout never = Timeout.start(null)) {
                sleep(DELAY);
            }
            sleep(DELAY);
        });
    }

    /** {@code test_nested_timeout}: the timeout that fires is the one raised; the other stays pending. */
    @Test
    void nestedTimeout() {
        inHub(() -> {
            try (Timeout t1 = Timeout.start(DELAY)) {
                try (Timeout t2 = Timeout.start(DELAY.multipliedBy(20))) {
                    assertThatThrownBy(() -> sleep(DELAY.multipliedBy(30))).isSameAs(t1);
                    assertThat(t1.isPending()).isFalse();
                    assertThat(t2.isPending()).isTrue();
                }
                assertThat(t1.isPending()).isFalse();
            }
            try (Timeout t1 = Timeout.start(DELAY.multipliedBy(20))) {
                try (Timeout t2 = Timeout.start(DELAY)) {
                    assertThatThrownBy(() -> sleep(DELAY.multipliedBy(30))).isSameAs(t2);
                    assertThat(t1.isPending()).isTrue();
                    assertThat(t2.isPending()).isFalse();
                }
                assertThat(t1.isPending()).isTrue();
            } catch (Timeout unexpected) {
                fail("the outer timeout must not fire", unexpected);
            }
        });
    }
}
