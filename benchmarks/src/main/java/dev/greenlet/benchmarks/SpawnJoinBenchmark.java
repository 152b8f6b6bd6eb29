package dev.greenlet.benchmarks;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import java.util.ArrayList;
import java.util.List;
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
 * Spawn + joinall of 100,000 trivial greenlets, beside starting and joining 100,000 raw virtual
 * threads. Scores are greenlets (threads) per second. Bar (issue 2): 300,000 spawn+join/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class SpawnJoinBenchmark {

    static final int N = 100_000;

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
    @OperationsPerInvocation(N)
    public int greenletSpawnJoinall() {
        return hub.run(() -> {
            List<Greenlet<Integer>> gs = new ArrayList<>(N);
            for (int i = 0; i < N; i++) {
                int v = i;
                gs.add(Gevent.spawn(() -> v));
            }
            return Gevent.joinall(gs).size();
        });
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public int virtualThreadStartJoin() throws InterruptedException {
        Thread[] ts = new Thread[N];
        int[] sink = new int[1];
        for (int i = 0; i < N; i++) {
            int v = i;
            ts[i] = Thread.ofVirtual().start(() -> sink[0] = v);
        }
        for (Thread t : ts) {
            t.join();
        }
        return sink[0];
    }
}
