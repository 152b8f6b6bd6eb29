package dev.greenlet.benchmarks;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * ({@link SpawnJoinBenchmark}, greenlets per second), four ways, on each engine:
 * <ul>
 * <li>{@code *CompiledOut}: the same code without the hooks ({@code -Ddev.greenlet.turnHooks=false}
 * makes the engines' static final switch false, and the JIT drops them);
 * <li>{@code *HooksIdle}: the hooks present, nothing listening (the default): one branch per
 * turn boundary. Bar: within 3% of compiled out;
 * <li>{@code *JdkRecording}: hooks compiled out, a JFR recording of the JDK's {@code default}
 * settings running: what any recording costs, greenlet events or not (a recording makes the
 * JDK itself do work at every virtual-thread mount and unmount; raw virtual threads lose as much);
 * <li>{@code *GreenletRecording}: the same recording with {@code greenlet.jfc} added, every turn
 * a {@code dev.greenlet.Turn} event. Bar: switches at most 25% slower than {@code *JdkRecording}.
 * </ul>
 * Each variant is a fork of its own (the switch is a JVM option), so compare within one run. The
 * switches run with {@code -Djdk.virtualThreadScheduler.parallelism=1}: on the permit engine a
 * ping-pong on the JDK's two-carrier scheduler is bimodal (both greenlets on one carrier, or
 * each on its own, spinning), which hides a 3% difference; on one carrier every switch is the same
 * park and unpark. The carrier engine runs its greenlets on its own carrier either way.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TurnHookBenchmark {

    private static final String OPENS = "--add-opens";
    private static final String JAVA_LANG = "java.base/java.lang=ALL-UNNAMED";
    private static final String NO_HOOKS = "-Ddev.greenlet.turnHooks=false";
    private static final String ONE_CARRIER = "-Djdk.virtualThreadScheduler.parallelism=1";

    /** A hub, and a JFR recording (in memory) of the JDK's default settings for the whole fork. */
    @State(Scope.Benchmark)
    public static class JdkRecorded extends SwitchBenchmark.OnHub {
        Recording recording;

        Map<String, String> settings() throws Exception {
            return new HashMap<>(Configuration.getConfiguration("default").getSettings());
        }

        @Setup
        public void startRecording() throws Exception {
            recording = new Recording(settings());
            recording.setToDisk(false);
            recording.setMaxSize(64L << 20);
            recording.start();
        }

        @TearDown
        public void stopRecording() {
            recording.close();
        }
    }

    /** The same recording with greenlet.jfc's settings added: every turn a dev.greenlet.Turn event. */
    @State(Scope.Benchmark)
    public static class GreenletRecorded extends JdkRecorded {
        @Override
        Map<String, String> settings() throws Exception {
            Map<String, String> all = super.settings();
            try (Reader r = new InputStreamReader(Hub.class.getResourceAsStream("/greenlet.jfc"), StandardCharsets.UTF_8)) {
                all.putAll(Configuration.create(r).getSettings());
            }
            return all;
        }
    }

    // ---------------------------------------------------------------- switches

    @Benchmark
    @OperationsPerInvocation(SwitchBenchmark.SWITCHES)
    @Fork(value = 1, jvmArgsAppend = {OPENS, JAVA_LANG, ONE_CARRIER, NO_HOOKS})
    public void switchCompiledOut(SwitchBenchmark.OnHub on) {
        SwitchBenchmark.roundRobin(on.hub, 2);
    }

    @Benchmark
    @OperationsPerInvocation(SwitchBenchmark.SWITCHES)
    @Fork(value = 1, jvmArgsAppend = {OPENS, JAVA_LANG, ONE_CARRIER})
    public void switchHooksIdle(SwitchBenchmark.OnHub on) {
        SwitchBenchmark.roundRobin(on.hub, 2);
    }

    @Benchmark
    @OperationsPerInvocation(SwitchBenchmark.SWITCHES)
    @Fork(value = 1, jvmArgsAppend = {OPENS, JAVA_LANG, ONE_CARRIER, NO_HOOKS})
    public void switchJdkRecording(JdkRecorded on) {
        SwitchBenchmark.roundRobin(on.hub, 2);
    }

    @Benchmark
    @OperationsPerInvocation(SwitchBenchmark.SWITCHES)
    @Fork(value = 1, jvmArgsAppend = {OPENS, JAVA_LANG, ONE_CARRIER})
    public void switchGreenletRecording(GreenletRecorded on) {
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
    @Fork(value = 1, jvmArgsAppend = {OPENS, JAVA_LANG, NO_HOOKS})
    public int spawnJoinJdkRecording(JdkRecorded on) {
        return spawnJoin(on.hub);
    }

    @Benchmark
    @OperationsPerInvocation(SpawnJoinBenchmark.N)
    @Fork(value = 1, jvmArgsAppend = {OPENS, JAVA_LANG})
    public int spawnJoinGreenletRecording(GreenletRecorded on) {
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
