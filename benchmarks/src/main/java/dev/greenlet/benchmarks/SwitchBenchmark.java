package dev.greenlet.benchmarks;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Switch rate: greenlets handing the turn to each other with {@code sleep(0)}, on a hub of each
 * engine ({@code engine} = {@code PERMIT} or {@code CARRIER}), beside raw virtual threads passing
 * a token with park/unpark (the same one-at-a-time work without a hub; the baseline, measured
 * once), and raw virtual threads yielding to each other on one carrier thread of their own
 * ({@link OneCarrier}: the floor under the carrier engine). Scores are switches per second.
 * Bars for two greenlets: 1.5 M switches/s on the permit engine (issue 2), 3 M switches/s on
 * the carrier engine (issue 9).
 *
 * <p>The forked JVM gets {@code --add-opens java.base/java.lang=ALL-UNNAMED}, which the carrier
 * engine needs (with JDK 24+); the permit engine and the baseline do not use it.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED"})
public class SwitchBenchmark {

    static final int SWITCHES = 200_000;

    /** A hub of the engine the run asks for: the greenlet benchmarks' state, here and in the other benchmarks of the engines. */
    @State(Scope.Benchmark)
    public static class OnHub {
        @Param({"PERMIT", "CARRIER"})
        public Hub.Engine engine;

        Hub hub;

        @Setup
        public void setUp() {
            hub = new Hub("bench", engine);
        }

        @TearDown
        public void tearDown() {
            hub.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(SWITCHES)
    public void greenletPingPong(OnHub on) {
        roundRobin(on.hub, 2);
    }

    @Benchmark
    @OperationsPerInvocation(SWITCHES)
    public void greenletRoundRobin100(OnHub on) {
        roundRobin(on.hub, 100);
    }

    @Benchmark
    @OperationsPerInvocation(SWITCHES)
    public void virtualThreadPingPong() throws InterruptedException {
        TokenRing.run(2, SWITCHES);
    }

    /** One carrier thread of the benchmark's own, with no hub: the floor (see {@link OneCarrier}). */
    @State(Scope.Benchmark)
    public static class OnOneCarrier {
        OneCarrier carrier;

        @Setup
        public void setUp() {
            carrier = new OneCarrier();
        }

        @TearDown
        public void tearDown() throws InterruptedException {
            carrier.close();
        }
    }

    /**
     * The floor for {@link #greenletPingPong} on the carrier engine: two raw virtual threads on
     * one carrier of their own, each calling {@code Thread.yield()} (what {@code sleep(0)} does
     * there), with no hub. What is left is the JDK's yield, unmount and mount.
     */
    @Benchmark
    @OperationsPerInvocation(SWITCHES)
    public void virtualThreadPingPongOneCarrier(OnOneCarrier on) throws InterruptedException {
        OneCarrier carrier = on.carrier;
        carrier.runAndJoin(() -> {
            int perThread = SWITCHES / 2;
            Runnable body = () -> {
                for (int k = 0; k < perThread; k++) {
                    Thread.yield();
                }
            };
            Thread a = carrier.threads().start(body);
            Thread b = carrier.threads().start(body);
            try {
                a.join();
                b.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(SWITCHES)
    public void virtualThreadRoundRobin100() throws InterruptedException {
        TokenRing.run(100, SWITCHES);
    }

    static void roundRobin(Hub hub, int n) {
        int perGreenlet = SWITCHES / n;
        hub.run(() -> {
            List<Greenlet<Void>> gs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                gs.add(Gevent.spawn(() -> {
                    for (int k = 0; k < perGreenlet; k++) {
                        Gevent.sleep(0);
                    }
                }));
            }
            Gevent.joinall(gs);
        });
    }

    /** The baseline: n virtual threads pass one token around a ring with park/unpark, as a hub passes its permit. */
    static final class TokenRing {
        private volatile Thread owner;

        static void run(int n, int switches) throws InterruptedException {
            TokenRing ring = new TokenRing();
            Thread[] threads = new Thread[n];
            int perThread = switches / n;
            for (int i = 0; i < n; i++) {
                int me = i;
                threads[i] = Thread.ofVirtual().unstarted(() -> {
                    Thread self = threads[me];
                    Thread next = threads[(me + 1) % n];
                    for (int k = 0; k < perThread; k++) {
                        while (ring.owner != self) {
                            LockSupport.park();
                        }
                        ring.owner = next;
                        LockSupport.unpark(next);
                    }
                });
            }
            ring.owner = threads[0];
            for (Thread t : threads) {
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
        }
    }
}
