package dev.greenlet.spring.services;

import static dev.greenlet.spring.services.ServicesSupport.LONG_WAIT;
import static dev.greenlet.spring.services.ServicesSupport.assertEndsKilled;
import static dev.greenlet.spring.services.ServicesSupport.awaitState;
import static dev.greenlet.spring.services.ServicesSupport.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Hub;
import dev.greenlet.monkey.Monkey;
import dev.greenlet.spring.services.ServicesSupport.HubCounts;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;

/**
 * With {@code greenlet.monkey.patch-all}, the hub is on the carrier engine, and a greenlet
 * killed in a plain JDK wait ({@code Thread.sleep}, waiting to enter a {@code synchronized}
 * block or to take a {@code ReentrantLock} that another thread holds) ends killed, not failed.
 * {@code synchronized} and {@code lock()} ignore the interrupt until they acquire, so those two
 * end once the other thread lets go.
 */
@SpringBootTest
@ActiveProfiles("services")
class JdkWaitsServicesTests {

    @Autowired
    ServicesApplication.Waits waits;

    @Autowired
    Hub hub;

    @Test
    void patchAllWasAppliedBeforeTheHubExisted() {
        assertThat(Monkey.isPatched(Monkey.THREAD)).isTrue();
        assertThat(hub.engine()).isEqualTo(Hub.Engine.CARRIER);
    }

    @Test
    void aGreenletKilledInThreadSleepEndsKilled() {
        HubCounts before = HubCounts.of(hub);
        CompletableFuture<Thread> started = new CompletableFuture<>();
        dev.greenlet.Greenlet<String> g = waits.sleep(LONG_WAIT, started);
        awaitState(started, Thread.State.TIMED_WAITING);
        g.kill(false, null);
        assertEndsKilled(g, hub, before);
    }

    @Test
    void aGreenletKilledWhileWaitingToEnterASynchronizedBlockEndsKilledOnceItEnters() {
        Object monitor = new Object();
        HubCounts before = HubCounts.of(hub);
        CompletableFuture<Thread> started = new CompletableFuture<>();
        dev.greenlet.Greenlet<String> g;
        synchronized (monitor) {
            g = waits.enter(monitor, started);
            awaitState(started, Thread.State.BLOCKED);
            g.kill(false, null);
        }
        assertEndsKilled(g, hub, before);
    }

    @Test
    void aGreenletKilledWhileWaitingForAReentrantLockEndsKilledOnceItHasIt() {
        ReentrantLock lock = new ReentrantLock();
        HubCounts before = HubCounts.of(hub);
        CompletableFuture<Thread> started = new CompletableFuture<>();
        dev.greenlet.Greenlet<String> g;
        lock.lock();
        try {
            g = waits.lock(lock, started);
            Thread thread = awaitState(started, Thread.State.WAITING);
            awaitUntil("the greenlet queues for the lock", () -> lock.hasQueuedThread(thread));
            g.kill(false, null);
        } finally {
            lock.unlock();
        }
        assertEndsKilled(g, hub, before);
        assertThat(lock.isLocked()).as("the killed greenlet released the lock it took").isFalse();
    }
}
