package dev.greenlet.benchmarks;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Spawn + joinall of 100,000 trivial greenlets on a hub of each engine ({@code engine} =
 * {@code PERMIT} or {@code CARRIER}), beside starting and joining 100,000 raw virtual threads
 * (the baseline, measured once), and the same from inside a virtual thread on one carrier thread
 * of its own ({@link OneCarrier}: the floor under the carrier engine). Scores are greenlets (threads) per second. Bars: 300,000
 * spawn+join/s on the permit engine (issue 2), 1 M spawn+join/s on the carrier engine (issue 9).
 *
 * <p>The forked JVM gets {@code --add-opens java.base/java.lang=ALL-UNNAMED}, which the carrier
 * engine needs (with JDK 24+); the permit engine and the baseline do not use it.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED"})
public class SpawnJoinBenchmark {

    static final int N = 100_000;

    @Benchmark
    @OperationsPerInvocation(N)
    public int greenletSpawnJoinall(SwitchBenchmark.OnHub on) {
        return on.hub.run(() -> {
            List<Greenlet<Integer>> gs = new ArrayList<>(N);
            for (int i = 0; i < N; i++) {
                int v = i;
                gs.add(Gevent.spawn(() -> v));
            }
            return Gevent.joinall(gs).size();
        });
    }

    /**
     * The floor for {@link #greenletSpawnJoinall} on the carrier engine: from inside a raw
     * virtual thread on one carrier of its own, start 100,000 virtual threads on that carrier
     * and join them, with no hub. What is left is the JDK's start, mount, end and join.
     */
    @Benchmark
    @OperationsPerInvocation(N)
    public int virtualThreadStartJoinOneCarrier(SwitchBenchmark.OnOneCarrier on) throws InterruptedException {
        OneCarrier carrier = on.carrier;
        int[] sink = new int[1];
        carrier.runAndJoin(() -> {
            Thread.Builder.OfVirtual builder = carrier.threads();
            Thread[] ts = new Thread[N];
            for (int i = 0; i < N; i++) {
                int v = i;
                ts[i] = builder.start(() -> sink[0] = v);
            }
            try {
                for (Thread t : ts) {
                    t.join();
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        return sink[0];
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
