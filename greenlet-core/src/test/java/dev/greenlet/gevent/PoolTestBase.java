package dev.greenlet.gevent;

import static dev.greenlet.Gevent.sleep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import dev.greenlet.Timeout;
import dev.greenlet.pool.Group;
import dev.greenlet.pool.MapIterator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * gevent's {@code src/gevent/tests/test__pool.py}, class {@code TestPool}, at tag 22.10.2: the
 * tests its size variants share ({@link PoolTest} of size 1, {@link Pool2Test},
 * {@link Pool3Test}, {@link Pool10Test}, {@link PoolUnlimitTest}), one per gevent test.
 * {@code LARGE_RANGE} is 100, gevent's value on CI. Skipped: {@code async_callback} (no callback
 * parameter: link the returned greenlet), {@code terminate} (no {@code map_async}),
 * {@code imap_no_stop}/{@code imap_unordered_no_stop} (a Java queue's iteration is a snapshot,
 * not a consuming iterator), {@code imap_unordered_bounded_queue} (no {@code maxsize}).
 */
abstract class PoolTestBase extends HubTestSupport {

    /** A gevent port: its sleeps and timeouts run in virtual time, so its order holds under any load. */
    @Override
    protected boolean onVirtualTime() {
        return true;
    }

    private static final int SMALL_RANGE = 10;
    private static final int LARGE_RANGE = 100;

    /** The pool under test; gevent's {@code size}, with 0 for an unlimited one (a Group). */
    abstract int size();

    private Group newPool() {
        return size() == 0 ? new Group() : new dev.greenlet.pool.Pool(size());
    }

    private static int sqr(int x, long waitMs) {
        sleep(waitMs);
        return x * x;
    }

    private static int sqr(int x) {
        return sqr(x, 0);
    }

    private static int sqrRandomSleep(int x) {
        return sqr(x, ThreadLocalRandom.current().nextLong(100));
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    private static List<Integer> squares(int n) {
        return IntStream.range(0, n).map(i -> i * i).boxed().toList();
    }

    private static <R> List<R> list(MapIterator<R> it) {
        List<R> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    private void inPool(java.util.function.Consumer<Group> body) {
        inHub(() -> {
            Group pool = newPool();
            body.accept(pool);
            pool.join();
        });
    }

    /** {@code test_apply}. */
    @Test
    void apply() {
        inPool(pool -> {
            assertThat(pool.apply(() -> sqr(5))).isEqualTo(25);
            assertThat(pool.apply(() -> sqr(3))).isEqualTo(9);
        });
    }

    /** {@code test_map}. */
    @Test
    void map() {
        inPool(pool -> {
            Function<Integer, Integer> f = PoolTestBase::sqr;
            assertThat(pool.map(f, range(SMALL_RANGE))).isEqualTo(squares(SMALL_RANGE));
            assertThat(pool.map(f, range(100))).isEqualTo(squares(100));
        });
    }

    /** {@code test_async} (the value; its timing is not asserted here). */
    @Test
    void async() {
        inPool(pool -> assertThat(pool.applyAsync(() -> sqr(7, 82)).get()).isEqualTo(49));
    }

    /** {@code test_async_timeout}: get with a timeout shorter than the work raises Timeout. */
    @Test
    void asyncTimeout() {
        inPool(pool -> {
            Greenlet<Integer> res = pool.applyAsync(() -> sqr(6, 35 + MEDIUM_MS));
            assertThatThrownBy(() -> res.get(Duration.ofMillis(35))).isInstanceOf(Timeout.class);
        });
    }

    /** {@code test_imap_list_small}. */
    @Test
    void imapListSmall() {
        inPool(pool -> assertThat(list(pool.imap(PoolTestBase::sqr, range(SMALL_RANGE)))).isEqualTo(squares(SMALL_RANGE)));
    }

    /** {@code test_imap_it_small}. */
    @Test
    void imapItSmall() {
        inPool(pool -> {
            MapIterator<Integer> it = pool.imap(PoolTestBase::sqr, range(SMALL_RANGE));
            for (int i = 0; i < SMALL_RANGE; i++) {
                assertThat(it.next()).isEqualTo(i * i);
            }
            assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
        });
    }

    /** {@code test_imap_it_large}. */
    @Test
    void imapItLarge() {
        inPool(pool -> {
            MapIterator<Integer> it = pool.imap(PoolTestBase::sqr, range(LARGE_RANGE));
            for (int i = 0; i < LARGE_RANGE; i++) {
                assertThat(it.next()).isEqualTo(i * i);
            }
            assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
        });
    }

    /** {@code test_imap_random}: results in item order whatever the completion order. */
    @Test
    void imapRandom() {
        inPool(pool -> assertThat(list(pool.imap(PoolTestBase::sqrRandomSleep, range(SMALL_RANGE))))
                .isEqualTo(squares(SMALL_RANGE)));
    }

    /** {@code test_imap_unordered}. */
    @Test
    void imapUnordered() {
        inPool(pool -> {
            for (int round = 0; round < 2; round++) {
                assertThat(list(pool.imapUnordered(PoolTestBase::sqr, range(LARGE_RANGE))))
                        .containsExactlyInAnyOrderElementsOf(squares(LARGE_RANGE));
            }
        });
    }

    /** {@code test_imap_unordered_random}. */
    @Test
    void imapUnorderedRandom() {
        inPool(pool -> assertThat(list(pool.imapUnordered(PoolTestBase::sqrRandomSleep, range(SMALL_RANGE))))
                .containsExactlyInAnyOrderElementsOf(squares(SMALL_RANGE)));
    }

    /** {@code test_empty_imap_unordered}. */
    @Test
    void emptyImapUnordered() {
        inPool(pool -> assertThat(list(pool.imapUnordered(PoolTestBase::sqr, List.<Integer>of()))).isEmpty());
    }

    /** {@code test_empty_imap}. */
    @Test
    void emptyImap() {
        inPool(pool -> assertThat(list(pool.imap(PoolTestBase::sqr, List.<Integer>of()))).isEmpty());
    }

    /** {@code test_empty_map}. */
    @Test
    void emptyMap() {
        inPool(pool -> assertThat(pool.map(PoolTestBase::sqr, List.<Integer>of())).isEmpty());
    }

    /** {@code test_imap_unordered_sleep}: completion order (gevent's tenths of a second are 20 ms here). */
    @Test
    void imapUnorderedSleep() {
        inPool(pool -> {
            List<String> result = list(pool.imapUnordered(x -> {
                sleep(x * 20L);
                return String.valueOf(x);
            }, List.of(10, 1, 2)));
            assertThat(result).containsExactlyElementsOf(size() == 1 ? List.of("10", "1", "2") : List.of("1", "2", "10"));
        });
    }

    /** gevent's {@code final_sleep}: yields 0, 1, 2, then sleeps before it ends. */
    private static Iterable<Integer> finalSleep() {
        return () -> new Iterator<>() {
            private int i;

            @Override
            public boolean hasNext() {
                if (i == 3) {
                    sleep(MEDIUM_MS);
                    i++;
                }
                return i < 3;
            }

            @Override
            public Integer next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return i++;
            }
        };
    }

    /** {@code test_imap_final_sleep} (gevent issue 311). */
    @Test
    void imapFinalSleep() {
        inPool(pool -> assertThat(list(pool.imap(PoolTestBase::sqr, finalSleep()))).containsExactly(0, 1, 4));
    }

    /** {@code test_imap_unordered_final_sleep}. */
    @Test
    void imapUnorderedFinalSleep() {
        inPool(pool -> assertThat(list(pool.imapUnordered(PoolTestBase::sqr, finalSleep()))).containsExactly(0, 1, 4));
    }
}
