package dev.greenlet.benchmarks;

import dev.greenlet.Gevent;
import dev.greenlet.Hub;
import dev.greenlet.event.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One {@link Event} set with 100,000 greenlets waiting on it: the time from {@code set()} until
 * the last waiter has resumed, beside 100,000 virtual threads released by one
 * {@link CountDownLatch}. Each side parks only its own population. Bar (issue 3): all resumed
 * within 0.5 s.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(1)
public class EventBenchmark {

    static final int WAITERS = 100_000;

    /** 100,000 greenlets parked in {@code event.await()}; the last to resume counts down {@code allResumed}. */
    @State(Scope.Benchmark)
    public static class ParkedGreenlets {
        Hub hub;
        Event event;
        CountDownLatch allResumed;

        @Setup(Level.Invocation)
        public void park() {
            hub = new Hub("bench");
            event = new Event();
            allResumed = new CountDownLatch(1);
            AtomicInteger resumed = new AtomicInteger();
            hub.run(() -> {
                for (int i = 0; i < WAITERS; i++) {
                    Gevent.spawn(() -> {
                        event.await();
                        if (resumed.incrementAndGet() == WAITERS) {
                            allResumed.countDown();
                        }
                    });
                }
                Gevent.sleep(0); // every waiter runs up to its await
            });
        }

        @TearDown(Level.Invocation)
        public void close() {
            hub.close();
        }
    }

    /** 100,000 virtual threads parked in {@code latch.await()}; the last to resume counts down {@code allResumed}. */
    @State(Scope.Benchmark)
    public static class ParkedThreads {
        CountDownLatch latch;
        CountDownLatch allResumed;
        List<Thread> threads;

        @Setup(Level.Invocation)
        public void park() throws InterruptedException {
            latch = new CountDownLatch(1);
            allResumed = new CountDownLatch(1);
            AtomicInteger resumed = new AtomicInteger();
            CountDownLatch parked = new CountDownLatch(WAITERS);
            threads = new ArrayList<>(WAITERS);
            for (int i = 0; i < WAITERS; i++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    parked.countDown();
                    try {
                        latch.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    if (resumed.incrementAndGet() == WAITERS) {
                        allResumed.countDown();
                    }
                }));
            }
            parked.await();
        }

        @TearDown(Level.Invocation)
        public void join() throws InterruptedException {
            for (Thread t : threads) {
                t.join();
            }
        }
    }

    @Benchmark
    public void greenletEventSetResumesAll(ParkedGreenlets s) throws InterruptedException {
        s.event.set();
        s.allResumed.await();
    }

    @Benchmark
    public void virtualThreadLatchReleasesAll(ParkedThreads s) throws InterruptedException {
        s.latch.countDown();
        s.allResumed.await();
    }
}
