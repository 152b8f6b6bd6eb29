package dev.greenlet.benchmarks;

import dev.greenlet.Gevent;
import dev.greenlet.Hub;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * The cost of {@code offload} of a no-op call from a greenlet (the price every patched socket
 * operation pays), beside calling the no-op directly in the greenlet and beside handing it to a
 * virtual-thread executor and waiting for it. Scores are nanoseconds per call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class OffloadBenchmark {

    static final int CALLS = 100_000;

    Hub hub;
    ExecutorService executor;
    volatile int sink;

    @Setup
    public void setUp() {
        hub = new Hub("bench");
        executor = Executors.newVirtualThreadPerTaskExecutor();
    }

    @TearDown
    public void tearDown() {
        hub.close();
        executor.close();
    }

    int noop() {
        return sink;
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public int greenletOffloadNoop() {
        return hub.run(() -> {
            int s = 0;
            for (int i = 0; i < CALLS; i++) {
                s += Gevent.offload(this::noop);
            }
            return s;
        });
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public int greenletDirectNoop() {
        return hub.run(() -> {
            int s = 0;
            for (int i = 0; i < CALLS; i++) {
                s += noop();
            }
            return s;
        });
    }

    @Benchmark
    @OperationsPerInvocation(CALLS / 10)
    public int virtualThreadExecutorNoop() throws Exception {
        int s = 0;
        for (int i = 0; i < CALLS / 10; i++) {
            s += executor.submit(this::noop).get();
        }
        return s;
    }
}
