package dev.greenlet.benchmarks;

import dev.greenlet.Hub;
import dev.greenlet.pool.MapIterator;
import dev.greenlet.pool.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
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
 * {@code Pool(100).imap} over 100,000 items, beside a virtual-thread-per-task executor bounded
 * by a {@link Semaphore} of 100 with the results collected in order. Scores are items per
 * second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class PoolBenchmark {

    static final int ITEMS = 100_000;
    static final List<Integer> INPUT = IntStream.range(0, ITEMS).boxed().toList();

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
    public long greenletPoolImap() {
        return hub.run(() -> {
            long sum = 0;
            try (MapIterator<Integer> it = new Pool(100).imap(i -> i * 2, INPUT)) {
                while (it.hasNext()) {
                    sum += it.next();
                }
            }
            return sum;
        });
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long virtualThreadBoundedFanOut() throws Exception {
        Semaphore slots = new Semaphore(100);
        List<Future<Integer>> futures = new ArrayList<>(ITEMS);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Integer i : INPUT) {
                slots.acquire();
                futures.add(executor.submit(() -> {
                    try {
                        return i * 2;
                    } finally {
                        slots.release();
                    }
                }));
            }
            long sum = 0;
            for (Future<Integer> f : futures) {
                sum += f.get();
            }
            return sum;
        }
    }
}
