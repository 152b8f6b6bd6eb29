package dev.greenlet;

import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;
import static dev.greenlet.Gevent.withTimeout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Timeout and withTimeout: raised in their greenlet at a cooperative point (invariant 6). */
class TimeoutTest extends HubTestSupport {

    @Test
    void timeoutInterruptsACooperativeWait() {
        long start = System.nanoTime();
        inHub(() -> {
            Timeout timeout = Timeout.start(Duration.ofMillis(SHORT_MS));
            try {
                sleep(LONG_MS);
                log("slept");
            } catch (Timeout t) {
                assertThat(t).isSameAs(timeout);
                log("timed out");
            } finally {
                timeout.close();
            }
        });
        assertThat(events).containsExactly("timed out");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(LONG_MS / 2);
    }

    @Test
    void timeoutRaisesTheGivenException() {
        IllegalStateException custom = new IllegalStateException("too slow");
        inHub(() -> assertThatThrownBy(() -> {
            try (var t = Timeout.start(Duration.ofMillis(1), custom)) {
                sleep(LONG_MS);
            }
        }).isSameAs(custom));
    }

    @Test
    void timeoutIsNotAnExceptionSoCatchExceptionDoesNotSwallowIt() {
        inHub(() -> assertThatThrownBy(() -> {
            try (var t = Timeout.start(Duration.ofMillis(1))) {
                try {
                    sleep(LONG_MS);
                } catch (Exception e) {
                    log("swallowed");
                }
            }
        }).isInstanceOf(Timeout.class));
        assertThat(events).isEmpty();
    }

    /** A timeout that expires while its greenlet computes lands at the next cooperative point... */
    @Test
    void timeoutLandsAtTheNextCooperativePoint() {
        inHub(() -> assertThatThrownBy(() -> {
            try (var t = Timeout.start(Duration.ofMillis(1))) {
                busyFor(SHORT_MS);
                log("computed past the deadline");
                sleep(0);
                log("not reached");
            }
        }).isInstanceOf(Timeout.class));
        assertThat(events).containsExactly("computed past the deadline");
    }

    /** ...and is withdrawn if the block ends before it lands, as gevent's timer could not fire. */
    @Test
    void timeoutClosedBeforeLandingIsWithdrawn() {
        inHub(() -> {
            try (var t = Timeout.start(Duration.ofMillis(1))) {
                busyFor(SHORT_MS);
            }
            sleep(0);
            sleep(1);
            log("no stray timeout");
        });
        assertThat(events).containsExactly("no stray timeout");
    }

    @Test
    void innerTimeoutDoesNotCatchAnOuterOne() {
        inHub(() -> {
            Timeout outer = Timeout.start(Duration.ofMillis(SHORT_MS));
            try {
                try (var inner = Timeout.start(Duration.ofMillis(LONG_MS))) {
                    sleep(LONG_MS);
                } catch (Timeout t) {
                    if (t != outer) {
                        log("inner caught its own");
                    }
                    throw t;
                }
            } catch (Timeout t) {
                log(t == outer ? "outer fired" : "wrong timeout");
            } finally {
                outer.close();
            }
        });
        assertThat(events).containsExactly("outer fired");
    }

    @Test
    void withTimeoutReturnsTheFallbackOrPropagates() {
        inHub(() -> {
            assertThat(withTimeout(Duration.ofMillis(1), () -> {
                sleep(LONG_MS);
                return "slow";
            }, "fallback")).isEqualTo("fallback");
            assertThat(withTimeout(Duration.ofMillis(LONG_MS), () -> "fast", "fallback")).isEqualTo("fast");
            assertThatThrownBy(() -> withTimeout(Duration.ofMillis(1), () -> {
                sleep(LONG_MS);
                return "slow";
            })).isInstanceOf(Timeout.class).hasMessageContaining("timeout after 1 ms");
        });
    }

    @Test
    void getWithTimeoutThrowsTimeoutWhenNotReady() {
        inHub(() -> {
            Greenlet<String> slow = spawn(() -> {
                sleep(LONG_MS);
                return "late";
            });
            assertThatThrownBy(() -> slow.get(Duration.ofMillis(1))).isInstanceOf(Timeout.class)
                    .hasMessageContaining("get() of");
            slow.kill();
        });
    }

    @Test
    void timeoutClosedFromAnotherGreenletIsAClearError() {
        inHub(() -> {
            Timeout mine = Timeout.start(Duration.ofMillis(LONG_MS));
            Greenlet<Void> other = spawn(mine::close);
            other.join();
            assertThat(other.exception()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("close it in the greenlet that started it");
            mine.close();
        });
        assertThat(expectReported()).hasSize(1);
    }

    @Test
    void timeoutOnAPlainThreadIsAClearError() {
        assertThatThrownBy(() -> Timeout.start(Duration.ofMillis(1))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("needs a greenlet").hasMessageContaining("Gevent.run");
    }

    @Test
    void negativeTimeoutIsAClearError() {
        assertThatThrownBy(() -> new Timeout(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be negative");
    }

    /**
     * A timeout that fired while the block computed (no cooperative point since) does not turn
     * the block's own exception into the timeout: only an interrupt it delivered would.
     */
    @Test
    void aBlocksOwnExceptionIsNotMistakenForItsTimeout() {
        inHub(() -> assertThatThrownBy(() -> withTimeout(Duration.ofMillis(SHORT_MS), () -> {
            busyFor(SHORT_MS * 3);
            throw new IllegalArgumentException("the block's own failure");
        }, "fallback")).isInstanceOf(IllegalArgumentException.class).hasMessage("the block's own failure"));
    }
}
