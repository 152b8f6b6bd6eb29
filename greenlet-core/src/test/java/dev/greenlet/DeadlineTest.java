package dev.greenlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeadlineTest {

    @Test
    void noneIsNeverPastAndHasNoRemainingTime() {
        assertThat(Deadline.none().isNone()).isTrue();
        assertThat(Deadline.none().isPast()).isFalse();
        assertThat(Deadline.none().remaining()).isNull();
        assertThat(Deadline.of(null)).isSameAs(Deadline.none());
    }

    @Test
    void zeroIsPastAtOnceWithNothingRemaining() {
        Deadline d = Deadline.of(Duration.ZERO);
        assertThat(d.isNone()).isFalse();
        assertThat(d.isPast()).isTrue();
        assertThat(d.remaining()).isZero();
    }

    @Test
    void remainingCountsDownFromTheTimeoutAndIsComputedOnce() {
        Deadline d = Deadline.of(Duration.ofHours(1));
        Duration first = d.remaining();
        assertThat(first).isPositive().isLessThanOrEqualTo(Duration.ofHours(1));
        assertThat(d.remaining()).isLessThanOrEqualTo(first);
        assertThat(d.isPast()).isFalse();
    }

    @Test
    void aTimeoutOfCenturiesSaturatesInsteadOfOverflowing() {
        for (Duration huge : new Duration[] {Duration.ofSeconds(Long.MAX_VALUE), Duration.ofDays(365L * 1000),
                Duration.ofNanos(Long.MAX_VALUE)}) {
            Deadline d = Deadline.of(huge);
            assertThat(d.isPast()).as("%s is past", huge).isFalse();
            assertThat(d.remaining()).as("remaining of %s", huge).isGreaterThan(Duration.ofDays(365L * 50));
        }
    }

    @Test
    void aNegativeTimeoutIsRefusedWithTheFix() {
        assertThatThrownBy(() -> Deadline.of(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be negative")
                .hasMessageContaining("Duration.ZERO");
    }
}
