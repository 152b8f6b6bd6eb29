package dev.greenlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 100,000 greenlets doing random sleeps, yields, spawns, joins, failures and kills on one hub:
 * every greenlet ends exactly once, with its value or its exception, and none is left alive.
 */
class StressTest extends HubTestSupport {

    static final int TOTAL = 100_000;
    static final int INITIAL = 1_000;

    static final class Planned extends RuntimeException {
        Planned(int id) {
            super("planned failure of #" + id, null, false, false);
        }
    }

    private final List<Greenlet<Integer>> all = new ArrayList<>(TOTAL); // touched only by this hub's greenlets
    private final AtomicIntegerArray endings = new AtomicIntegerArray(TOTAL);

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 42L, 20261126L})
    void everyGreenletEndsExactlyOnce(long seed) {
        hub.setErrorHandler((g, e) -> {
            if (!(e instanceof Planned)) {
                reported.add(e);
            }
        });
        try {
            hub.run(() -> {
                Random random = new Random(seed);
                for (int i = 0; i < INITIAL; i++) {
                    spawnOne(random.nextLong());
                }
                // Wait for everything, including greenlets spawned while we wait; top up if the
                // random spawn tree dies out before it reaches TOTAL.
                int joined = 0;
                while (joined < all.size() || all.size() < TOTAL) {
                    while (joined == all.size() && all.size() < TOTAL) {
                        spawnOne(random.nextLong());
                    }
                    List<Greenlet<Integer>> batch = new ArrayList<>(all.subList(joined, all.size()));
                    Gevent.joinall(batch);
                    joined += batch.size();
                }
            });
            assertThat(all).hasSize(TOTAL);
            int values = 0;
            int killed = 0;
            int failed = 0;
            for (int i = 0; i < TOTAL; i++) {
                Greenlet<Integer> g = all.get(i);
                assertThat(endings.get(i)).as("endings of #%d", i).isEqualTo(1);
                assertThat(g.isDead()).isTrue();
                if (g.exception() instanceof Planned) {
                    failed++;
                } else if (g.isSuccessful() && g.value() == null) {
                    killed++;
                } else {
                    assertThat(g.value()).isEqualTo(i);
                    values++;
                }
            }
            assertThat(values + killed + failed).isEqualTo(TOTAL);
            assertThat(values).isPositive();
            assertThat(killed).isPositive();
            assertThat(failed).isPositive();
            assertThat(reported).as("unexpected failures").isEmpty();
            assertThat(hub.liveCount()).isZero();
        } catch (Throwable t) {
            throw new AssertionError("stress test failed with seed " + seed + ": " + t, t);
        }
    }

    /** Spawns greenlet number all.size() on the test's hub; call only from one of its greenlets. */
    private void spawnOne(long seed) {
        int id = all.size();
        Greenlet<Integer> g = new Greenlet<>(hub, null, () -> work(id, new Random(seed)));
        g.rawlink(() -> endings.incrementAndGet(id));
        all.add(g);
        g.start();
    }

    private int work(int id, Random random) {
        int steps = random.nextInt(6);
        for (int step = 0; step < steps; step++) {
            int op = random.nextInt(100);
            if (op < 30) {
                Gevent.sleep(0);
            } else if (op < 45) {
                Gevent.sleep(random.nextInt(3));
            } else if (op < 70) {
                if (all.size() < TOTAL) {
                    spawnOne(random.nextLong());
                }
                if (all.size() < TOTAL) {
                    spawnOne(random.nextLong());
                }
            } else if (op < 80) {
                Greenlet<Integer> victim = all.get(random.nextInt(all.size()));
                victim.kill(false, null);
            } else if (op < 90) {
                Greenlet<Integer> other = all.get(random.nextInt(all.size()));
                if (other != Greenlet.current()) {
                    other.join(Duration.ofMillis(random.nextInt(3)));
                }
            } else if (op < 93) {
                throw new Planned(id);
            } else {
                Gevent.idle();
            }
        }
        return id;
    }
}
