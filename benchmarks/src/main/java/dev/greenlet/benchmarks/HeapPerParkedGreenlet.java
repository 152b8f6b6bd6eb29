package dev.greenlet.benchmarks;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

/**
 * Heap per parked greenlet: parks 100,000 greenlets in {@code sleep} on a hub of the chosen
 * engine and measures the retained heap after a full GC, beside 100,000 raw virtual threads
 * parked in {@code LockSupport.park} in the same JVM (the baseline). Bars: at most 2 KB per
 * parked greenlet on the permit engine (issue 2), at most 1 KB on the carrier engine (issue 9).
 * JMH measures time, not retained heap, so this is a plain program; the README gives the
 * commands ({@code exec:exec@heap} for the permit engine, {@code exec:exec@heap-carrier} for the
 * carrier engine).
 *
 * <p>Arguments, in any order: the engine, {@code PERMIT} (the default) or {@code CARRIER}, and
 * the number of greenlets (default 100,000). The carrier engine needs JDK 24+ and
 * {@code --add-opens java.base/java.lang=ALL-UNNAMED} on this JVM's command line.
 */
public final class HeapPerParkedGreenlet {

    static final int N = 100_000;

    public static void main(String[] args) throws Exception {
        int n = N;
        Hub.Engine engine = Hub.Engine.PERMIT;
        for (String arg : args) {
            if (!arg.isEmpty() && arg.chars().allMatch(Character::isDigit)) {
                n = Integer.parseInt(arg);
            } else {
                engine = Hub.Engine.valueOf(arg.toUpperCase(java.util.Locale.ROOT));
            }
        }
        String unavailable = engine.unavailableReason();
        if (unavailable != null) {
            System.err.println("HeapPerParkedGreenlet: cannot measure the " + engine + " engine: " + unavailable);
            System.exit(2);
        }
        for (int round = 1; round <= 3; round++) {
            long vt = virtualThreads(n);
            long gl = greenlets(n, engine);
            System.out.printf("round %d: parked greenlet %,d B (%s engine, parked in sleep), parked virtual thread %,d B (parked in LockSupport.park), n=%,d%n",
                    round, gl, engine, vt, n);
        }
    }

    static long greenlets(int n, Hub.Engine engine) throws Exception {
        Hub hub = new Hub("heap", engine);
        long before = usedAfterGc();
        CountDownLatch parked = new CountDownLatch(n);
        List<Greenlet<Void>> gs = new ArrayList<>(n);
        hub.run(() -> {
            for (int i = 0; i < n; i++) {
                gs.add(Gevent.spawn(() -> {
                    parked.countDown();
                    Gevent.sleep(Duration.ofHours(1));
                }));
            }
            Gevent.sleep(0); // let every greenlet run up to its sleep
        });
        parked.await();
        Thread.sleep(200);
        long after = usedAfterGc();
        long perGreenlet = (after - before) / n;
        Gevent.killall(gs);
        hub.close();
        return perGreenlet;
    }

    static long virtualThreads(int n) throws Exception {
        long before = usedAfterGc();
        CountDownLatch parked = new CountDownLatch(n);
        List<Thread> ts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ts.add(Thread.ofVirtual().start(() -> {
                parked.countDown();
                while (!Thread.currentThread().isInterrupted()) {
                    LockSupport.park();
                }
            }));
        }
        parked.await();
        Thread.sleep(200);
        long after = usedAfterGc();
        for (Thread t : ts) {
            t.interrupt();
        }
        for (Thread t : ts) {
            t.join();
        }
        return (after - before) / n;
    }

    static long usedAfterGc() throws InterruptedException {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
