package dev.greenlet.lock;

import static dev.greenlet.Gevent.joinall;
import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import dev.greenlet.Parked;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Semaphore, BoundedSemaphore and RLock: FIFO handoff, timeouts, kills, misuse. */
class LockTest extends HubTestSupport {

    @Test
    void semaphoreHandsPermitsToWaitersInOrder() {
        Semaphore sem = new Semaphore(1);
        inHub(() -> {
            sem.acquire();
            List<Greenlet<?>> gs = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                gs.add(spawn(() -> {
                    sem.acquire();
                    log(name);
                    sleep(0);
                    sem.release();
                }));
            }
            sleep(0);
            Greenlet<Void> latecomer = spawn(() -> {
                sem.acquire();
                log("latecomer");
                sem.release();
            });
            sem.release(); // goes straight to "a", not to the latecomer
            gs.add(latecomer);
            joinall(gs);
        });
        assertThat(events).containsExactly("a", "b", "c", "latecomer");
        assertThat(sem.counter()).isOne();
    }

    @Test
    void acquireWithTimeoutAndTryAcquire() {
        Semaphore sem = new Semaphore(1);
        inHub(() -> {
            assertThat(sem.tryAcquire()).isTrue();
            assertThat(sem.locked()).isTrue();
            assertThat(sem.tryAcquire()).isFalse();
            assertThat(sem.acquire(Duration.ofMillis(1))).isFalse();
            sem.release();
            assertThat(sem.acquire(Duration.ofMillis(1))).isTrue();
            sem.release();
        });
    }

    /** A killed acquire holds no permit; the permit goes to the next waiter. */
    @Test
    void killedAcquireHoldsNoPermit() {
        Semaphore sem = new Semaphore(0);
        inHub(() -> {
            Greenlet<Void> killed = spawn(() -> {
                sem.acquire();
                log("killed one acquired");
            });
            Greenlet<Void> next = spawn(() -> {
                sem.acquire();
                log("next acquired");
            });
            sleep(0);
            killed.kill();
            sem.release();
            next.join();
        });
        assertThat(events).containsExactly("next acquired");
        assertThat(sem.counter()).isZero();
    }

    @Test
    void semaphoreHoldReleasesOnClose() {
        Semaphore sem = new Semaphore(2);
        inHub(() -> {
            try (var permit = sem.hold()) {
                assertThat(sem.counter()).isOne();
            }
            assertThat(sem.counter()).isEqualTo(2);
        });
    }

    @Test
    void semaphoreAwaitWaitsForAFreePermitWithoutTakingIt() {
        Semaphore sem = new Semaphore(0);
        inHub(() -> {
            Greenlet<Boolean> watcher = spawn(() -> sem.await(null));
            sleep(0);
            sem.release();
            assertThat(watcher.get()).isTrue();
            assertThat(sem.counter()).isOne();
            assertThat(new Semaphore(0).await(Duration.ofMillis(1))).isFalse();
        });
    }

    @Test
    void boundedSemaphoreRefusesToBeReleasedPastItsBound() {
        BoundedSemaphore sem = new BoundedSemaphore(2);
        sem.acquire();
        sem.release();
        assertThatThrownBy(sem::release).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("released too many times");
        assertThat(sem.counter()).isEqualTo(2);
    }

    @Test
    void negativeSemaphoreIsAClearError() {
        assertThatThrownBy(() -> new Semaphore(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= 0");
    }

    @Test
    void rlockIsReentrantAndHandedOverInOrder() {
        RLock lock = new RLock();
        inHub(() -> {
            lock.acquire();
            lock.acquire();
            assertThat(lock.isOwnedByCurrent()).isTrue();
            List<Greenlet<?>> gs = new ArrayList<>();
            for (String name : List.of("a", "b")) {
                gs.add(spawn(() -> {
                    try (var held = lock.hold()) {
                        log(name);
                        sleep(0);
                    }
                }));
            }
            sleep(0);
            lock.release();
            assertThat(lock.isOwnedByCurrent()).as("still held once").isTrue();
            lock.release();
            assertThat(lock.isOwnedByCurrent()).isFalse();
            joinall(gs);
            assertThat(lock.locked()).isFalse();
        });
        assertThat(events).containsExactly("a", "b");
    }

    @Test
    void rlockReleasedByANonOwnerIsAClearError() {
        RLock lock = new RLock();
        inHub(() -> {
            lock.acquire();
            Greenlet<Void> intruder = spawn(lock::release);
            intruder.join();
            assertThat(intruder.exception()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("only the greenlet (or thread) that acquired it may release it");
            lock.release();
        });
        assertThat(expectReported()).singleElement().satisfies(e -> assertThat(e)
                .hasMessageContaining("only the greenlet (or thread) that acquired it may release it"));
        assertThatThrownBy(lock::release).isInstanceOf(IllegalStateException.class).hasMessageContaining("not locked");
    }

    @Test
    void rlockSharedBetweenAGreenletAndAPlainThread() throws Exception {
        RLock lock = new RLock();
        lock.acquire();
        Greenlet<Void> g = hub.spawn(() -> {
            lock.acquire();
            log("greenlet got it");
            lock.release();
        });
        Parked.awaitParked(g, lock);
        assertThat(events).as("the greenlet waits while the thread holds the lock").isEmpty();
        lock.release();
        g.join();
        assertThat(events).containsExactly("greenlet got it");
    }

    /** Semaphore(10) never has more than 10 holders, with random timeouts among 500 greenlets. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {3L, 77L})
    void semaphoreNeverHasMoreHoldersThanPermits(long seed) {
        Semaphore sem = new Semaphore(10);
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger maxHolders = new AtomicInteger();
        AtomicInteger acquired = new AtomicInteger();
        AtomicInteger timedOut = new AtomicInteger();
        try {
            inHub(() -> {
                Random random = new Random(seed);
                List<Greenlet<?>> gs = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    long s = random.nextLong();
                    gs.add(spawn(() -> {
                        Random r = new Random(s);
                        for (int k = 0; k < 20; k++) {
                            if (sem.acquire(Duration.ofMillis(r.nextInt(3)))) {
                                acquired.incrementAndGet();
                                maxHolders.accumulateAndGet(holders.incrementAndGet(), Math::max);
                                sleep(r.nextInt(2));
                                holders.decrementAndGet();
                                sem.release();
                            } else {
                                timedOut.incrementAndGet();
                            }
                        }
                    }));
                }
                joinall(gs);
            });
            assertThat(maxHolders.get()).isEqualTo(10);
            assertThat(acquired.get()).isPositive();
            assertThat(timedOut.get()).isPositive();
            assertThat(sem.counter()).isEqualTo(10);
        } catch (Throwable t) {
            throw new AssertionError("failed with seed " + seed + ": " + t, t);
        }
    }
}
