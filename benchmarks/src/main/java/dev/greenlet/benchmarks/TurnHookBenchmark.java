package dev.greenlet.benchmarks;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
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
 * What the turn observer's hooks cost (issue 19), in one run: the switch benchmark's ping-pong
 * ({@link SwitchBenchmark}, switches per second) and the spawn + joinall benchmark
 * ({@link SpawnJoinBenchmark}, greenlets per second), each three ways, on each engine:
 * <ul>
 * <li>{@code *CompiledOut}: the same code without the hooks ({@code -Ddev.greenlet.turnHooks=false}
 * makes the engines' static final switch false, and the JIT drops them);
 * <li>{@code *HooksIdle}: the hooks present, nothing listening (the default): one branch per
 * turn boundary. Bar: within 3% of compiled out;
 * <li>{@code *JfrRecording}: a JFR recording with {@code greenlet.jfc} running, every turn a
 * {@code dev.greenlet.Turn} event. Bar: switches at most 25% slower than compiled out.
 * </ul>
 * Each variant is a fork of its own (the switch is a JVM option), so compare within one run.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TurnHookBenchmark {

    private static final String OPENS = "--add-opens";
    private static final String JAVA_LANG = "java.base/java.lang=ALL-UNNAMED";
    private static final String NO_HOOKS = "-Ddev.greenlet.turnHooks=false";

    /** The same, with a JFR recording of greenlet.jfc running (in memory) for the whole fork. */
    @State(Scope.Benchmark)
    public static class Recorded extends SwitchBenchmark.OnHub {
        Recording recording;

        @Setup
        public void startRecording() throws Exception {
            try (Reader r = new InputStreamReader(Hub.class.getResourceAsStream("/greenlet.jfc"), StandardCharsets.UTF_8)) {
                recording = new Recording(Configuration.create(r));
            }
            recording.setToDisk(false);
            recording.setMaxSize(64L << 20);
            recording.start();
        }

        @TearDown
        public void stopRecording() {
            recording.close();
        }
    }

    // ---------------------------------------------------------------- switches

    @Benchmark
    @OperationsPerInvocation(SwitchBenchmark.SWITCHES)
    @Fork(value = 1, jvmArgsAppend = {OPENS, JAVA_LANG, NO_HOOKS})
    public void switchCompiledOut(SwitchBenchmark.OnHub on) {
        SwitchBenchmark.roundRobin(on.hub, 2);
    }

    @Benchmark
    @OperationsPerInvocation(SwitchBenchmark.SWITCHES)
    @Fork(value = 1, jvmArgsAppend = {OPENS, JAVA_LANG})
    public void switchHooksIdle(SwitchBenchmark.OnHub on) {
        SwitchBenchmark.roundRobin(on.hub, 2);
    }

    @Benchmark
    @OperationsPerInvocation(SwitchBenchmark.SWITCHES)
    @Fork(value = 1, jvmArgsAppend = {OPENS, JAVA_LANG})
    public void switchJfrRecording(Recorded on) {
        SwitchBenchmark.roundRobin(on.hub, 2);
    }

    // ---------------------------------------------------------------- spawn + join

    @Benchmark
    @OperationsPerInvocation(SpawnJoinBenchmark.N)
    @Fork(value = 1, jvmArgsAppend = {OPENS, JAVA_LANG, NO_HOOKS})
    public int spawnJoinCompiledOut(SwitchBenchmark.OnHub on) {
        return spawnJoin(on.hub);
    }

    @Benchmark
    @OperationsPerInvocation(SpawnJoinBenchmark.N)
    @Fork(value = 1, jvmArgsAppend = {OPENS, JAVA_LANG})
    public int spawnJoinHooksIdle(SwitchBenchmark.OnHub on) {
        return spawnJoin(on.hub);
    }

    @Benchmark
    @OperationsPerInvocation(SpawnJoinBenchmark.N)
    @Fork(value = 1, jvmArgsAppend = {OPENS, JAVA_LANG})
    public int spawnJoinJfrRecording(Recorded on) {
        return spawnJoin(on.hub);
    }

    static int spawnJoin(Hub hub) {
        return hub.run(() -> {
            List<Greenlet<Integer>> gs = new ArrayList<>(SpawnJoinBenchmark.N);
            for (int i = 0; i < SpawnJoinBenchmark.N; i++) {
                int v = i;
                gs.add(Gevent.spawn(() -> v));
            }
            return Gevent.joinall(gs).size();
        });
    }
}
