package dev.greenlet.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs each test method (of the annotated class, or the annotated method) as a greenlet of a
 * fresh {@link TestHub}: on virtual time, so sleeps and timeouts take no real time. A parameter
 * of type {@code TestHub} (of the test method, or of a {@code @BeforeEach} method) receives it.
 *
 * <pre>{@code
 * @GreenletTest
 * class RetryTest {
 *     @Test
 *     void backsOffFor30Seconds(TestHub hub) {
 *         retrier.call();                       // sleeps 1 + 2 + 4 + ... s
 *         assertEquals(Duration.ofSeconds(30), hub.currentTime());
 *     }
 * }
 * }</pre>
 *
 * <p>After the method returns, the test fails if greenlets of the hub are still alive (they are
 * killed, and named), or if a greenlet of the hub failed with an exception other than
 * {@code GreenletExit} and the test did not declare it ({@link TestHub#expectFailures()}).
 *
 * <p>Order: FIFO, as every hub, unless {@link #seeds()} or {@link #seed()} is given. With
 * {@code seeds = 100} the method runs 100 times, each on a hub whose ready greenlets take turns
 * in the random order of one seed (0 to 99), and the first failure names its seed; with
 * {@code seed = 42} it runs once under seed 42, which replays that run: in virtual time the
 * same seed gives the same order. Each seed after the first runs on a new instance of the test
 * class (its no-argument constructor, then its {@code @BeforeEach} methods, after it its
 * {@code @AfterEach} methods), so that no seed sees the fields an earlier one left; where JUnit
 * alone can make the instance (a {@code @Nested} class, a constructor or lifecycle method with
 * parameters other than {@code TestHub}), the first instance is reused. {@code @Nested} classes,
 * {@code @RepeatedTest} and {@code @ParameterizedTest} methods run in the hub too.
 *
 * <p>On a method, it replaces the class's annotation. gevent has nothing like it; kotlinx's
 * {@code runTest} is the nearest thing.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
@ExtendWith(GreenletTestExtension.class)
public @interface GreenletTest {

    /** {@link #seed()}'s default: no seed given. */
    long NO_SEED = Long.MIN_VALUE;

    /** How many seeded orders to run the test under (seeds 0 to {@code seeds - 1}); 0, the default, for FIFO order once. */
    int seeds() default 0;

    /** The one seed to run the test under, to replay a failure that {@link #seeds()} named. */
    long seed() default NO_SEED;
}
