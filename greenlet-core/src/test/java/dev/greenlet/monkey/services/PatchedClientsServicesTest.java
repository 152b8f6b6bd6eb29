package dev.greenlet.monkey.services;

import static dev.greenlet.Gevent.joinall;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import dev.greenlet.monkey.Monkey;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Real clients against the real servers on this machine, patched, in a JVM of its own (the
 * {@code services} Maven profile): 20 calls of 200 ms each overlap. A missing server fails the
 * test with a message naming it.
 */
class PatchedClientsServicesTest extends HubTestSupport {

    static final int CALLS = 20;

    @BeforeAll
    static void patch() {
        Monkey.patchSocket();
    }

    private static void require(String service, int port, String howToStart) {
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        } catch (IOException e) {
            fail(service + " is not reachable on 127.0.0.1:" + port + " (" + e + "); start it with: " + howToStart);
        }
    }

    /** Runs CALLS copies of {@code call} in greenlets and asserts they overlapped. */
    private <T> List<T> overlapping(Callable<T> call) {
        long start = System.nanoTime();
        List<T> results = hub.run(() -> {
            List<Greenlet<T>> gs = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                gs.add(spawn(call));
            }
            joinall(gs);
            return gs.stream().map(Greenlet::get).toList();
        });
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(elapsedMs).as("20 calls of 200 ms, serialized, would take 4,000 ms").isLessThan(CALLS * 200 / 2);
        return results;
    }

    @Test
    void postgresJdbcSleepsOverlap() {
        require("PostgreSQL", 5432, "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start");
        assertThat(overlapping(() -> firstInt("jdbc:postgresql://127.0.0.1:5432/test", "postgres",
                "SELECT 1 FROM pg_sleep(0.2)"))).hasSize(CALLS).containsOnly(1);
    }

    @Test
    void mariadbJdbcSleepsOverlap() {
        require("MariaDB", 3306, "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd");
        assertThat(overlapping(() -> firstInt("jdbc:mariadb://127.0.0.1:3306/test", "root", "SELECT SLEEP(0.2)")))
                .hasSize(CALLS).containsOnly(0);
    }

    /** Opens a connection (no pool: each call its own socket), runs {@code sql}, returns the first column of the first row. */
    private static int firstInt(String url, String user, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, "");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void jedisBlockingPopsOverlap() {
        require("Redis", 6379, "redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save \"\" --appendonly no");
        String key = "greenlet-test-empty-" + System.nanoTime();
        List<Boolean> results = overlapping(() -> {
            try (Jedis jedis = new Jedis("127.0.0.1", 6379)) {
                return jedis.blpop(0.2, key) == null; // nothing arrives: each waits its 200 ms out
            }
        });
        assertThat(results).hasSize(CALLS).containsOnly(true);
    }

    @Test
    void apacheHttpClientClassicCallsOverlap() throws Exception {
        var server = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        {
            server.createContext("/slow", exchange -> {
                try (exchange) {
                    Thread.sleep(200);
                    exchange.sendResponseHeaders(200, 2);
                    exchange.getResponseBody().write("ok".getBytes());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/slow";
            var connections = org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder.create()
                    .setMaxConnTotal(CALLS).setMaxConnPerRoute(CALLS).build();
            try (var client = org.apache.hc.client5.http.impl.classic.HttpClients.custom().setConnectionManager(connections).build()) {
                List<String> bodies = overlapping(() -> client.execute(new org.apache.hc.client5.http.classic.methods.HttpGet(url),
                        response -> new String(response.getEntity().getContent().readAllBytes())));
                assertThat(bodies).hasSize(CALLS).containsOnly("ok");
            } finally {
                server.stop(0);
            }
        }
    }
}
