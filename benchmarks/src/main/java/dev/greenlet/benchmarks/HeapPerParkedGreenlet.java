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
 * Heap per parked greenlet: parks 100,000 greenlets in {@code sleep} and measures the retained
 * heap after a full GC, beside 100,000 raw virtual threads parked in {@code LockSupport.park} in
 * the same JVM. Bar (issue 2): at most 2 KB per parked greenlet. JMH measures time, not
 * retained heap, so this is a plain program; the README gives the command
 * ({@code exec:exec@heap}).
 */
public final class HeapPerParkedGreenlet {

    static final int N = 100_000;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : N;
        for (int round = 1; round <= 3; round++) {
            long vt = virtualThreads(n);
            long gl = greenlets(n);
            System.out.printf("round %d: parked greenlet %,d B (parked in sleep), parked virtual thread %,d B (parked in LockSupport.park), n=%,d%n",
                    round, gl, vt, n);
        }
    }

    static long greenlets(int n) throws Exception {
        Hub hub = new Hub("heap");
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
