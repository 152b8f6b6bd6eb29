package dev.greenlet.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import dev.greenlet.event.Event;
import dev.greenlet.lock.Semaphore;
import dev.greenlet.queue.Queue;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/** What a greenlet waits for, in words, and the first application frame. */
class GreenletInfoTest {

    private static StackTraceElement frame(String cls, String method) {
        return new StackTraceElement(cls, method, null, 1);
    }

    private static final StackTraceElement APP = frame("com.example.OrderService", "place");

    @Test
    void aPoolWaitIsAPooledConnection() {
        List<StackTraceElement> stack = List.of(frame("jdk.internal.misc.Unsafe", "park"),
                frame("java.util.concurrent.SynchronousQueue", "poll"),
                frame("com.zaxxer.hikari.util.ConcurrentBag", "borrow"),
                frame("com.zaxxer.hikari.pool.HikariPool", "getConnection"),
                frame("org.springframework.jdbc.core.JdbcTemplate", "query"), APP);
        assertThat(GreenletInfo.describeWait(new Object(), stack)).isEqualTo("a pooled connection (HikariCP, ConcurrentBag.borrow)");
    }

    @Test
    void socketSleepAndMonitorWaitsAreNamed() {
        assertThat(GreenletInfo.describeWait(null, List.of(frame("sun.nio.ch.NioSocketImpl", "implRead"),
                frame("java.net.Socket$SocketInputStream", "read"), APP))).startsWith("a socket read");
        assertThat(GreenletInfo.describeWait(null, List.of(frame("java.lang.Thread", "sleep0"), APP))).isEqualTo("Thread.sleep");
        assertThat(GreenletInfo.describeWait(null, List.of(frame("java.lang.Object", "wait0"), APP))).startsWith("Object.wait");
    }

    @Test
    void aLockIsNamedByItsClass() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        lock.lock();
        Thread waiter = Thread.ofVirtual().start(lock::lock);
        try {
            long end = System.nanoTime() + 5_000_000_000L;
            while (java.util.concurrent.locks.LockSupport.getBlocker(waiter) == null) {
                assertThat(System.nanoTime()).as("the thread parked on the lock within 5 s").isLessThan(end);
                Thread.sleep(1);
            }
            String described = GreenletInfo.describeWait(java.util.concurrent.locks.LockSupport.getBlocker(waiter),
                    List.of(waiter.getStackTrace()));
            assertThat(described).startsWith("a lock (ReentrantLock");
        } finally {
            lock.unlock();
            waiter.join();
        }
        assertThat(GreenletInfo.describeWait(new CompletableFuture<>(), List.of(APP))).isEqualTo("a CompletableFuture");
    }

    @Test
    void theLibrarysPrimitivesAreNamedWithTheirState() {
        Event event = new Event();
        assertThat(GreenletInfo.describeWait(event, List.of(APP))).isEqualTo("an Event (not set)");
        assertThat(GreenletInfo.describeWait(new Semaphore(2), List.of(APP))).isEqualTo("a Semaphore (2 free)");
        Queue<String> q = new Queue<>(10);
        q.putNowait("x");
        assertThat(GreenletInfo.describeWait(q, List.of(APP))).isEqualTo("a Queue (1/10 items)");
        Greenlet<?> g = new Greenlet<>(new Hub("info"), "worker", () -> null);
        assertThat(GreenletInfo.describeWait(g, List.of(APP))).isEqualTo("greenlet \"worker\" #" + g.id() + " to end");
    }

    /** The application frame skips the JDK, this library and the frameworks; the summary is one line. */
    @Test
    void theApplicationFrameAndTheSummary() {
        List<StackTraceElement> stack = List.of(frame("java.lang.Thread", "sleep"), frame("dev.greenlet.Gevent", "sleep"),
                frame("org.springframework.aop.Foo", "invoke"), frame("com.zaxxer.hikari.HikariDataSource", "getConnection"),
                APP, frame("com.example.Controller", "post"));
        GreenletInfo info = new GreenletInfo(7, "POST /orders", Hub.GreenletState.WAITING, "Thread.sleep", null, stack);
        assertThat(info.applicationFrame()).isEqualTo(APP);
        assertThat(info.summary()).isEqualTo("#7 \"POST /orders\" WAITING on Thread.sleep at com.example.OrderService.place(Unknown Source)");
        assertThat(info.format()).startsWith(info.summary() + "\n    at java.lang.Thread.sleep");
    }
}
