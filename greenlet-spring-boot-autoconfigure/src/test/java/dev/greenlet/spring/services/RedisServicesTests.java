package dev.greenlet.spring.services;

import static dev.greenlet.spring.services.ServicesSupport.LONG_WAIT;
import static dev.greenlet.spring.services.ServicesSupport.NO_HANG_BOUND;
import static dev.greenlet.spring.services.ServicesSupport.assertEndsKilled;
import static dev.greenlet.spring.services.ServicesSupport.awaitInside;
import static dev.greenlet.spring.services.ServicesSupport.fanOut;
import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Hub;
import dev.greenlet.spring.services.ServicesSupport.FanOut;
import dev.greenlet.spring.services.ServicesSupport.HubCounts;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.TimeoutUtils;

/**
 * Spring Data Redis BLPOPs on empty keys from {@code @Greenlet} methods, with
 * {@code greenlet.monkey.patch-all}: the same tests for each client, which a subclass configures.
 *
 * <p>{@code leftPop(key, Duration.ofMillis(100))} asks for 100 ms, but Spring Data Redis sends
 * BLPOP's timeout in whole seconds, rounded up ({@link TimeoutUtils#toSeconds(Duration)}): the
 * server waits 1 s. The serial time the tests compare with is what the server waits.
 */
abstract class RedisServicesTests {

    static final Duration POP = Duration.ofMillis(100);

    /** How long the server waits for each {@link #POP}. */
    static final Duration SERVER_WAIT = Duration.ofSeconds(TimeoutUtils.toSeconds(POP));

    @Autowired
    ServicesApplication.Pops pops;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    Hub hub;

    @BeforeEach
    void serverIsUp() {
        ServicesSupport.require("Redis", 6379,
                "redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save \"\" --appendonly no");
    }

    /** A key no one pushes to, one per call, so that every pop waits its time out. */
    static String emptyKey(int i) {
        return "greenlet-services-empty-" + System.nanoTime() + "-" + i;
    }

    @Test
    void fiftyBlockingPopsOverlap() {
        int calls = 50;
        FanOut<String> fanOut = fanOut(calls, i -> pops.pop(emptyKey(i), POP), NO_HANG_BOUND);
        assertThat(fanOut.results()).as("every pop timed out").hasSize(calls).containsOnlyNulls();
        Duration serial = SERVER_WAIT.multipliedBy(calls);
        assertThat(fanOut.elapsed()).as("%d pops waiting %s each on the server, one after another: %s", calls,
                SERVER_WAIT, serial).isGreaterThanOrEqualTo(SERVER_WAIT).isLessThan(serial.dividedBy(2));
    }

    /** Thread.sleep gives the hub up as any other wait does: the pops still overlap. */
    @Test
    void threadSleepBeforeEachPopLetsThePopsOverlap() {
        int calls = 20;
        Duration sleep = Duration.ofMillis(50);
        FanOut<String> fanOut = fanOut(calls, i -> pops.sleepThenPop(sleep, emptyKey(i), POP), NO_HANG_BOUND);
        assertThat(fanOut.results()).hasSize(calls).containsOnlyNulls();
        Duration serial = SERVER_WAIT.plus(sleep).multipliedBy(calls);
        assertThat(fanOut.elapsed()).as("%d x (sleep %s + pop %s) one after another: %s", calls, sleep, SERVER_WAIT,
                serial).isLessThan(serial.dividedBy(2));
    }

    /** The monitor runs the pops one at a time (5 x 1 s); the greenlets waiting for it must not hang the hub. */
    @Test
    void aSynchronizedBlockHeldAcrossThePopDoesNotHang() {
        int calls = 5;
        assertThat(fanOut(calls, i -> pops.popHoldingMonitor(emptyKey(i), POP), NO_HANG_BOUND).results())
                .hasSize(calls).containsOnlyNulls();
    }

    @Test
    void aReentrantLockHeldAcrossThePopDoesNotHang() {
        int calls = 5;
        assertThat(fanOut(calls, i -> pops.popHoldingLock(emptyKey(i), POP), NO_HANG_BOUND).results())
                .hasSize(calls).containsOnlyNulls();
    }

    /**
     * A greenlet killed while the server holds its BLPOP ends killed, whatever the client made
     * of the interrupt, and the next command works.
     */
    @Test
    void aGreenletKilledInABlockingPopEndsKilledAndTheClientStaysUsable() {
        HubCounts before = HubCounts.of(hub);
        dev.greenlet.Greenlet<String> g = pops.spawnPop(emptyKey(0), LONG_WAIT);
        awaitInside(g, "BLPOP", () -> redis.getClientList().stream()
                .anyMatch(c -> "blpop".equals(c.getLastCommand()) && c.getFlags().contains("b")));
        g.kill(false, null);
        assertEndsKilled(g, hub, before);
        assertThat(pops.pop(emptyKey(1), POP).orTimeout(30, TimeUnit.SECONDS).join()).isNull();
        String key = emptyKey(2);
        redis.opsForList().rightPush(key, "pushed");
        assertThat(pops.pop(key, POP).orTimeout(30, TimeUnit.SECONDS).join()).isEqualTo("pushed");
    }
}
