package dev.greenlet.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import dev.greenlet.monkey.Monkey;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * 1,000 HTTP GETs with a 100 ms server-side delay through {@code HttpURLConnection}, against an
 * in-process server, each method in a JVM of its own:
 * <ul>
 * <li>{@code patchedGreenlets}: 1,000 greenlets on one permit-engine hub with the socket patch
 * ({@code Monkey.patchSocket()}). Bar (issue 4): within 1.2 times the virtual threads.</li>
 * <li>{@code carrierGreenlets}: 1,000 greenlets on one carrier-engine hub, through the JDK's own
 * sockets (no socket patch: on the carrier engine a socket wait parks the greenlet's virtual
 * thread, which hands the carrier to the next greenlet). Bar (issue 9): within 1.1 times the
 * virtual threads.</li>
 * <li>{@code rawVirtualThreads}, the baseline: 1,000 raw virtual threads in an unpatched JVM.</li>
 * </ul>
 * Scores are milliseconds for all 1,000. The forked JVMs get
 * {@code --add-opens java.base/java.lang=ALL-UNNAMED}, which the carrier engine needs (with JDK
 * 24+); the other two methods do not use it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 6, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Dsun.net.http.errorstream.enableBuffering=true", "-Dhttp.maxConnections=1000",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class HttpFanOutBenchmark {

    static final int CALLS = 1000;
    static final int DELAY_MS = 100;

    HttpServer server;
    ExecutorService serverThreads;
    URL url;
    Hub hub;

    @Setup
    public void setUp() throws IOException {
        serverThreads = Executors.newVirtualThreadPerTaskExecutor();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4096);
        server.createContext("/slow", exchange -> {
            try (exchange) {
                Thread.sleep(DELAY_MS);
                exchange.sendResponseHeaders(200, 2);
                exchange.getResponseBody().write("ok".getBytes());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.setExecutor(serverThreads);
        server.start();
        url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/slow").toURL();
        hub = new Hub("bench", Hub.Engine.PERMIT);
    }

    @TearDown
    public void tearDown() {
        hub.close();
        server.stop(0);
        serverThreads.close();
    }

    int get() throws IOException {
        HttpURLConnection c = (HttpURLConnection) url.openConnection();
        try (InputStream in = c.getInputStream()) {
            return in.readAllBytes().length;
        }
    }

    /** A hub on the carrier engine, for {@link #carrierGreenlets} alone. */
    @State(Scope.Benchmark)
    public static class CarrierHub {
        Hub hub;

        @Setup
        public void setUp() {
            if (Monkey.patched().contains(Monkey.SOCKET)) {
                throw new IllegalStateException("the carrier engine is measured through the JDK's own sockets,"
                        + " but this JVM has the socket patch: run carrierGreenlets in a fork of its own");
            }
            hub = new Hub("bench-carrier", Hub.Engine.CARRIER);
        }

        @TearDown
        public void tearDown() {
            hub.close();
        }
    }

    @Benchmark
    public int patchedGreenlets() {
        Monkey.patchSocket(); // idempotent; this fork is patched from its first invocation on
        return fanOut(hub);
    }

    @Benchmark
    public int carrierGreenlets(CarrierHub carrier) {
        return fanOut(carrier.hub);
    }

    /** {@link #CALLS} GETs, each from a greenlet of its own on {@code on}; the bytes read in all. */
    int fanOut(Hub on) {
        return on.run(() -> {
            List<Greenlet<Integer>> gs = new ArrayList<>(CALLS);
            for (int i = 0; i < CALLS; i++) {
                gs.add(Gevent.spawn(this::get));
            }
            Gevent.joinall(gs);
            int bytes = 0;
            for (Greenlet<Integer> g : gs) {
                bytes += g.get();
            }
            return bytes;
        });
    }

    @Benchmark
    public int rawVirtualThreads() throws Exception {
        List<Thread> ts = new ArrayList<>(CALLS);
        int[] bytes = new int[CALLS];
        for (int i = 0; i < CALLS; i++) {
            int slot = i;
            ts.add(Thread.ofVirtual().start(() -> {
                try {
                    bytes[slot] = get();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
        }
        int total = 0;
        for (int i = 0; i < CALLS; i++) {
            ts.get(i).join();
            total += bytes[i];
        }
        return total;
    }
}
