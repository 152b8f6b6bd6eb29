package dev.greenlet;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A point in time, a timeout from when it was created, by which an operation must be done: the
 * library's one deadline computation. Compute it once and reuse it across the retries of one
 * operation, so that the whole operation, not each wait, is bounded.
 *
 * <pre>{@code
 * Deadline deadline = Deadline.of(Duration.ofSeconds(5));
 * for (Greenlet<?> g : workers) {
 *     if (deadline.isPast()) break;
 *     g.join(deadline.remaining());      // together, at most 5 s
 * }
 * }</pre>
 *
 * <p>It is read from its clock once, at {@link #of}, so it does not move with the wall clock.
 * The clock is the calling greenlet's hub's: {@link System#nanoTime} for every hub but one on
 * virtual time ({@link VirtualTime}, what {@code dev.greenlet.test.TestHub} runs on), whose
 * deadlines pass as its virtual time does; on a plain thread it is {@link System#nanoTime}. A timeout of centuries (or {@code Duration.ofSeconds(Long.MAX_VALUE)}) is
 * saturated at about 73 years ahead: it waits "for ever" and no comparison overflows.
 * {@link #none()} is no deadline at all. Immutable and thread-safe.
 *
 * <p>gevent passes timeouts as seconds to every call and has no deadline type; Java code that
 * retries needs one (as {@code java.util.concurrent} computes one inside each timed wait), and
 * this is it, so no part of the library does the nanosecond arithmetic itself.
 */
public final class Deadline {

    private static final Deadline NONE = new Deadline(TimerQueue.INSTANCE, 0);

    /** The farthest a deadline may lie ahead: a quarter of the nanoTime range (about 73 years). */
    private static final long MAX_NANOS = Long.MAX_VALUE >> 2;

    private final TimerQueue clock; // whose now() 'at' is a value of: the hub's (TimerQueue.INSTANCE: System.nanoTime)
    private final long at;          // a value of clock.now(); 0 only for NONE (never computed as 0)

    private Deadline(TimerQueue clock, long at) {
        this.clock = clock;
        this.at = at;
    }

    /** No deadline: never past; {@link #remaining()} is null. */
    public static Deadline none() {
        return NONE;
    }

    /**
     * The deadline {@code timeout} from now; {@link #none()} if {@code timeout} is null, as a
     * null timeout means "no limit" throughout this library.
     *
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public static Deadline of(Duration timeout) {
        if (timeout == null) {
            return NONE;
        }
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, got " + timeout
                    + "; use Duration.ZERO for no wait");
        }
        TimerQueue clock = VirtualClock.clockOfCaller();
        return new Deadline(clock, clock.after(toNanos(timeout)));
    }

    /** The deadline {@code nanos} (not negative) from now on {@code clock}. */
    static Deadline afterNanos(TimerQueue clock, long nanos) {
        return new Deadline(clock, clock.after(nanos));
    }

    /**
     * The clock value {@code nanos} after {@code now}, saturated so that differences never
     * overflow, and never 0 (which means "no deadline" to the engines' waits): the one
     * deadline computation ({@link TimerQueue#after}).
     */
    static long saturatedAfter(long now, long nanos) {
        long d = now + Math.min(Math.max(0, nanos), MAX_NANOS);
        return d == 0 ? 1 : d;
    }

    /** {@code d} in nanoseconds, saturated at a century instead of overflowing. */
    static long toNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException overflow) {
            return TimeUnit.DAYS.toNanos(365L * 100);
        }
    }

    /** Whether this is {@link #none()}. */
    public boolean isNone() {
        return at == 0;
    }

    /** Whether it has passed; never for {@link #none()}. */
    public boolean isPast() {
        return at != 0 && at - clock.now() <= 0;
    }

    /**
     * The time left, zero once it has passed; null for {@link #none()}, so that it can be
     * passed on as the timeout of another call, where null means no limit.
     */
    public Duration remaining() {
        return at == 0 ? null : Duration.ofNanos(Math.max(0, at - clock.now()));
    }

    /**
     * The deadline as a value of {@code on}'s clock, 0 for {@link #none()}: for the engines
     * and the timer queues. A deadline of another clock (made on a plain thread, used by a
     * greenlet of a virtual-time hub, or the reverse) keeps the time it has left.
     */
    long nanoTimeOn(TimerQueue on) {
        if (at == 0 || on == clock) {
            return at;
        }
        return on.after(Math.max(0, at - clock.now()));
    }

    /** The clock this deadline is a value of. */
    TimerQueue clock() {
        return clock;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Deadline other && other.at == at && other.clock == clock;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(at);
    }

    @Override
    public String toString() {
        if (at == 0) {
            return "Deadline[none]";
        }
        long left = at - clock.now();
        return left <= 0 ? "Deadline[past]" : "Deadline[in " + Duration.ofNanos(left) + "]";
    }
}
