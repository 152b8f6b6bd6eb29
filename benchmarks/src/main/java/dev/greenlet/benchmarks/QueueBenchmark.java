package dev.greenlet.benchmarks;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import dev.greenlet.queue.Queue;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A producer and a consumer through a queue of size 1, so every item forces a switch, beside
 * two raw virtual threads through an {@link ArrayBlockingQueue} of size 1. Scores are items per
 * second. Bar (issue 3): 500,000 items/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class QueueBenchmark {

    static final int ITEMS = 200_000;

    Hub hub;

    @Setup
    public void setUp() {
        hub = new Hub("bench");
    }

    @TearDown
    public void tearDown() {
        hub.close();
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long greenletQueueOfOne() {
        return hub.run(() -> {
            Queue<Integer> q = new Queue<>(1);
            Greenlet<Void> producer = Gevent.spawn(() -> {
                for (int i = 0; i < ITEMS; i++) {
                    q.put(i);
                }
            });
            Greenlet<Long> consumer = Gevent.spawn(() -> {
                long sum = 0;
                for (int i = 0; i < ITEMS; i++) {
                    sum += q.get();
                }
                return sum;
            });
            Gevent.joinall(List.of(producer, consumer));
            return consumer.get();
        });
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long virtualThreadBlockingQueueOfOne() throws InterruptedException {
        BlockingQueue<Integer> q = new ArrayBlockingQueue<>(1);
        long[] sum = new long[1];
        Thread producer = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < ITEMS; i++) {
                    q.put(i);
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread consumer = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < ITEMS; i++) {
                    sum[0] += q.take();
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        producer.join();
        consumer.join();
        return sum[0];
    }
}
