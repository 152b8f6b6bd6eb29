package dev.greenlet.spring.services;

import static dev.greenlet.spring.services.ServicesSupport.LONG_WAIT;
import static dev.greenlet.spring.services.ServicesSupport.NO_HANG_BOUND;
import static dev.greenlet.spring.services.ServicesSupport.assertEndsKilled;
import static dev.greenlet.spring.services.ServicesSupport.awaitInside;
import static dev.greenlet.spring.services.ServicesSupport.awaitUntil;
import static dev.greenlet.spring.services.ServicesSupport.fanOut;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.greenlet.Hub;
import dev.greenlet.spring.services.ServicesSupport.FanOut;
import dev.greenlet.spring.services.ServicesSupport.HubCounts;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * JdbcTemplate over Boot's HikariCP (pool of 10) from {@code @Greenlet} methods, with
 * {@code greenlet.monkey.patch-all}: the same tests for each database, which a subclass names.
 * The fan-out runs first, on a pool that no query has started yet: Hikari's lazy start is a
 * {@code synchronized} block that the first greenlet holds across its first connect.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class JdbcServicesTests {

    static final int POOL_SIZE = 10;
    static final Duration QUERY = Duration.ofMillis(50);

    @Autowired
    ServicesApplication.Queries queries;

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    Hub hub;

    /** Fails, naming the server, unless it is up. */
    abstract void requireServer();

    /** A query that sleeps {@code seconds} on the server and returns {@link #slept()}. */
    abstract String sleep(String seconds);

    String sleep(Duration duration) {
        return sleep(BigDecimal.valueOf(duration.toMillis(), 3).stripTrailingZeros().toPlainString());
    }

    /** What {@link #sleep} returns when it slept its whole time. */
    abstract int slept();

    /** How many statements other than the caller's own the server is running whose text contains {@code marker}. */
    abstract int running(String marker);

    @BeforeEach
    void serverIsUp() {
        requireServer();
    }

    @Test
    @Order(1)
    void aHundredQueriesOfFiftyMillisecondsOverlapOnAPoolNotStartedBefore() {
        assertThat(dataSource).isInstanceOf(HikariDataSource.class);
        assertThat(((HikariDataSource) dataSource).isRunning()).as("Hikari's pool has not started yet").isFalse();
        assertThat(((HikariDataSource) dataSource).getMaximumPoolSize()).isEqualTo(POOL_SIZE);
        int calls = 100;
        String sql = sleep(QUERY);
        FanOut<Integer> fanOut = fanOut(calls, i -> queries.query(sql), NO_HANG_BOUND);
        assertThat(fanOut.results()).hasSize(calls).containsOnly(slept());
        Duration serial = QUERY.multipliedBy(calls);
        assertThat(fanOut.elapsed())
                .as("%d queries of %s on a pool of %d take at least %s, and %s one after another",
                        calls, QUERY, POOL_SIZE, QUERY.multipliedBy(calls / POOL_SIZE), serial)
                .isGreaterThanOrEqualTo(QUERY.multipliedBy(calls / POOL_SIZE))
                .isLessThan(serial.dividedBy(2));
    }

    /** Thread.sleep gives the hub up as any other wait does: the calls still overlap. */
    @Test
    void threadSleepBeforeEachQueryLetsTheQueriesOverlap() {
        int calls = 20;
        String sql = sleep(QUERY);
        FanOut<Integer> fanOut = fanOut(calls, i -> queries.sleepThenQuery(QUERY, sql), NO_HANG_BOUND);
        assertThat(fanOut.results()).hasSize(calls).containsOnly(slept());
        Duration serial = QUERY.multipliedBy(2).multipliedBy(calls);
        assertThat(fanOut.elapsed()).as("%d x (sleep %s + query %s) one after another: %s", calls, QUERY, QUERY, serial)
                .isLessThan(serial.dividedBy(2));
    }

    /** The monitor runs the queries one at a time; the greenlets waiting for it must not hang the hub. */
    @Test
    void aSynchronizedBlockHeldAcrossTheQueryDoesNotHang() {
        int calls = 20;
        String sql = sleep(QUERY);
        assertThat(fanOut(calls, i -> queries.queryHoldingMonitor(sql), NO_HANG_BOUND).results())
                .hasSize(calls).containsOnly(slept());
    }

    @Test
    void aReentrantLockHeldAcrossTheQueryDoesNotHang() {
        int calls = 20;
        String sql = sleep(QUERY);
        assertThat(fanOut(calls, i -> queries.queryHoldingLock(sql), NO_HANG_BOUND).results())
                .hasSize(calls).containsOnly(slept());
    }

    /**
     * A greenlet killed while the server runs its query ends killed, whatever the driver and
     * Hikari made of the interrupt, and its connection goes back to the pool or is evicted:
     * none stays checked out, and the next query works.
     */
    @Test
    void aGreenletKilledInAQueryEndsKilledAndThePoolStaysUsable() {
        String marker = "kill-" + System.nanoTime();
        String sql = sleep(LONG_WAIT) + " /* " + marker + " */";
        HubCounts before = HubCounts.of(hub);
        dev.greenlet.Greenlet<Integer> g = queries.spawnQuery(sql);
        awaitInside(g, sql, () -> running(marker) == 1);
        g.kill(false, null);
        assertEndsKilled(g, hub, before);
        HikariDataSource hikari = (HikariDataSource) dataSource;
        awaitUntil(() -> "no connection checked out of the pool (active: "
                + hikari.getHikariPoolMXBean().getActiveConnections() + ")",
                () -> hikari.getHikariPoolMXBean().getActiveConnections() == 0);
        assertThat(queries.query(sleep(Duration.ZERO)).orTimeout(30, TimeUnit.SECONDS).join()).isEqualTo(slept());
    }
}
