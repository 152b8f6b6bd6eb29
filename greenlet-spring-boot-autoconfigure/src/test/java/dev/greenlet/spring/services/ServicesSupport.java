package dev.greenlet.spring.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.greenlet.Hub;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/** What the services tests share: the server check, fan-outs with a bound, and kill checks. */
final class ServicesSupport {

    /**
     * How long a killed greenlet may take to end (once no other thread holds what it waits
     * for): well under {@link #LONG_WAIT}, so that ending in time means the kill ended the wait.
     */
    static final Duration KILL_BOUND = Duration.ofSeconds(2);

    /** How long the I/O waits and sleeps that the tests kill would last. */
    static final Duration LONG_WAIT = Duration.ofSeconds(5);

    /** How long a fan-out may take in all before the test calls it a hang: generous; overlap is asserted apart. */
    static final Duration NO_HANG_BOUND = Duration.ofSeconds(60);

    private ServicesSupport() {
    }

    /** Fails, naming the server, its address and how to start it, unless it accepts connections. */
    static void require(String server, int port, String howToStart) {
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        } catch (IOException e) {
            fail(server + " is not reachable on 127.0.0.1:" + port + " (" + e + "); start it with: " + howToStart);
        }
    }

    /** The results of calls started together, and how long it took until the last one ended. */
    record FanOut<T>(List<T> results, Duration elapsed) {
    }

    /**
     * Starts {@code calls} calls at once (each through the service's proxy, so each is a
     * greenlet of its own), then waits for all of them, at most {@code bound} in all: a hang
     * fails the test, saying how many calls ended.
     */
    static <T> FanOut<T> fanOut(int calls, IntFunction<CompletableFuture<T>> call, Duration bound) {
        long start = System.nanoTime();
        List<CompletableFuture<T>> futures = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            futures.add(call.apply(i));
        }
        long deadline = start + bound.toNanos();
        List<T> results = new ArrayList<>();
        for (CompletableFuture<T> f : futures) {
            try {
                results.add(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                long done = futures.stream().filter(CompletableFuture::isDone).count();
                fail("only " + done + " of " + calls + " calls ended within " + bound + ": the others hang");
            } catch (ExecutionException e) {
                throw new AssertionError("a call failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        return new FanOut<>(results, Duration.ofNanos(System.nanoTime() - start));
    }

    /** Polls {@code condition} until it holds, for at most 10 s; fails naming {@code what} otherwise. */
    static void awaitUntil(String what, BooleanSupplier condition) {
        awaitUntil(() -> what, condition);
    }

    /** {@link #awaitUntil(String, BooleanSupplier)}, with {@code what} said as it is when the time is up. */
    static void awaitUntil(Supplier<String> what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("waited 10 s for: " + what.get());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /**
     * Waits until {@code inside} says that {@code g} is inside the wait the test kills; fails if
     * {@code g} ended before, saying how.
     */
    static void awaitInside(dev.greenlet.Greenlet<?> g, String wait, BooleanSupplier inside) {
        awaitUntil(() -> g + " is inside " + wait, () -> g.isDead() || inside.getAsBoolean());
        assertThat(g.isDead()).as("%s ended before it was killed, with %s", g, g.exception()).isFalse();
    }

    /** Waits until the thread a greenlet reported is in {@code state}: inside the wait the test kills. */
    static Thread awaitState(CompletableFuture<Thread> started, Thread.State state) {
        Thread thread;
        try {
            thread = started.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the greenlet did not start within 10 s", e);
        }
        awaitUntil(() -> thread + " is " + state + " (it is " + thread.getState() + ")", () -> thread.getState() == state);
        return thread;
    }

    /** What a hub counted so far, to tell what one test added. */
    record HubCounts(long failed, long killed) {
        static HubCounts of(Hub hub) {
            return new HubCounts(hub.failedCount(), hub.killedCount());
        }
    }

    /**
     * Asserts that {@code g}, killed already, ends within {@link #KILL_BOUND}, killed (a
     * {@code GreenletExit}, whatever the library made of the interrupt), and that its hub
     * reported no failure for it.
     */
    static void assertEndsKilled(dev.greenlet.Greenlet<?> g, Hub hub, HubCounts before) {
        assertThat(g.join(KILL_BOUND)).as("%s ended within %s of its kill", g, KILL_BOUND).isTrue();
        assertThat(g.isKilled()).as("%s ended killed, not with %s", g, g.exception()).isTrue();
        assertThat(hub.failedCount()).as("failures the hub reported").isEqualTo(before.failed());
        assertThat(hub.killedCount()).as("greenlets the hub counted as killed").isEqualTo(before.killed() + 1);
    }
}
