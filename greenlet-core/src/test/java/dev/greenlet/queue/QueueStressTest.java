package dev.greenlet.queue;

import static dev.greenlet.Gevent.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 1,000 producers and 1,000 consumers move 1,000,000 items through a bounded queue or a
 * channel while a killer kills random idle waiters and replaces them: every item is delivered
 * exactly once.
 */
class QueueStressTest extends HubTestSupport {

    static final int ITEMS = 1_000_000;
    static final int PRODUCERS = 1_000;
    static final int CONSUMERS = 1_000;
    static final int PER_PRODUCER = ITEMS / PRODUCERS;

    // Touched only by the hub's greenlets, one at a time: no locks needed (invariant 1).
    private final int[] received = new int[ITEMS];
    private final int[] nextIndex = new int[PRODUCERS]; // each producer's next item, across replacements
    private int receivedCount;
    private final List<Greenlet<Void>> producers = new ArrayList<>();
    private final List<Greenlet<Void>> consumers = new ArrayList<>();

    /** The two ends of a queue or a channel, and what its waiters show as {@code waitingOn()}. */
    private record Ends(Object blocker, Consumer<Integer> put, Supplier<Integer> get, Supplier<Boolean> isEmpty) {
        static Ends of(Queue<Integer> q) {
            return new Ends(q, q::put, q::get, q::isEmpty);
        }

        static Ends of(Channel<Integer> ch) {
            return new Ends(ch, ch::put, ch::get, () -> ch.poll() == null);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"queue", "channel"})
    void everyItemIsDeliveredExactlyOnceDespiteKills(String kind) {
        Ends q = kind.equals("queue") ? Ends.of(new Queue<>(64)) : Ends.of(new Channel<>());
        long seed = System.nanoTime();
        int[] kills = {0};
        try {
            inHub(() -> {
                Random random = new Random(seed);
                for (int p = 0; p < PRODUCERS; p++) {
                    producers.add(producer(q, p));
                }
                for (int c = 0; c < CONSUMERS; c++) {
                    consumers.add(consumer(q));
                }
                while (receivedCount < ITEMS) {
                    sleep(random.nextInt(2));
                    boolean killProducer = random.nextBoolean();
                    List<Greenlet<Void>> pool = killProducer ? producers : consumers;
                    int i = random.nextInt(pool.size());
                    Greenlet<Void> victim = pool.get(i);
                    if (victim.waitingOn() == q.blocker() && kills[0] < 300) {
                        victim.kill();
                        kills[0]++;
                        pool.set(i, killProducer ? producer(q, i) : consumer(q));
                    }
                }
                Gevent.killall(consumers);
                Gevent.killall(producers);
            });
            for (int i = 0; i < ITEMS; i++) {
                assertThat(received[i]).as("deliveries of item %d", i).isEqualTo(1);
            }
            assertThat(kills[0]).as("the test killed waiters").isPositive();
            assertThat(q.isEmpty().get()).as("nothing left in the %s", kind).isTrue();
            assertThat(reported).isEmpty();
        } catch (Throwable t) {
            throw new AssertionError(kind + " stress failed with seed " + seed + ": " + t, t);
        }
    }

    private Greenlet<Void> producer(Ends q, int p) {
        return Gevent.spawn(() -> {
            while (nextIndex[p] < PER_PRODUCER) {
                q.put().accept(p * PER_PRODUCER + nextIndex[p]); // a kill here means: not delivered
                nextIndex[p]++;
            }
        });
    }

    private Greenlet<Void> consumer(Ends q) {
        return Gevent.spawn(() -> {
            while (true) {
                int item = q.get().get(); // a kill here means: nothing taken
                received[item]++;
                receivedCount++;
            }
        });
    }
}
