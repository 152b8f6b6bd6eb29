package dev.greenlet.spring.services;

import dev.greenlet.spring.Greenlet;
import dev.greenlet.spring.Spawn;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * An application as a user writes it, with the starter and {@code greenlet.monkey.patch-all}
 * (its configuration is {@code application-services.properties}): JDBC through Boot's
 * {@code JdbcTemplate} and HikariCP, Spring Data Redis, {@code RestClient}, each called from
 * {@code @Greenlet} methods with plain blocking code. Each service also holds a
 * {@code synchronized} block or a {@code ReentrantLock} across its I/O, or calls
 * {@code Thread.sleep} first, and can hand out the greenlet of a call ({@code @Spawn} methods
 * returning the {@code dev.greenlet.Greenlet} handle) for the tests to kill.
 */
@SpringBootApplication
public class ServicesApplication {

    /** JDBC: one query per call, through Boot's JdbcTemplate over its HikariCP pool. */
    @Service
    public static class Queries {
        private final JdbcTemplate jdbc;
        private final Object monitor = new Object();
        private final Lock lock = new ReentrantLock();

        Queries(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        @Greenlet
        public CompletableFuture<Integer> query(String sql) {
            return CompletableFuture.completedFuture(jdbc.queryForObject(sql, Integer.class));
        }

        @Greenlet
        public CompletableFuture<Integer> sleepThenQuery(Duration sleep, String sql) {
            pause(sleep);
            return CompletableFuture.completedFuture(jdbc.queryForObject(sql, Integer.class));
        }

        @Greenlet
        public CompletableFuture<Integer> queryHoldingMonitor(String sql) {
            synchronized (monitor) {
                return CompletableFuture.completedFuture(jdbc.queryForObject(sql, Integer.class));
            }
        }

        @Greenlet
        public CompletableFuture<Integer> queryHoldingLock(String sql) {
            lock.lock();
            try {
                return CompletableFuture.completedFuture(jdbc.queryForObject(sql, Integer.class));
            } finally {
                lock.unlock();
            }
        }

        @Spawn
        public dev.greenlet.Greenlet<Integer> spawnQuery(String sql) {
            return dev.greenlet.Greenlet.completed(jdbc.queryForObject(sql, Integer.class));
        }
    }

    /** Redis: one blocking pop per call, through Boot's StringRedisTemplate. */
    @Service
    public static class Pops {
        private final StringRedisTemplate redis;
        private final Object monitor = new Object();
        private final Lock lock = new ReentrantLock();

        Pops(StringRedisTemplate redis) {
            this.redis = redis;
        }

        @Greenlet
        public CompletableFuture<String> pop(String key, Duration timeout) {
            return CompletableFuture.completedFuture(redis.opsForList().leftPop(key, timeout));
        }

        @Greenlet
        public CompletableFuture<String> sleepThenPop(Duration sleep, String key, Duration timeout) {
            pause(sleep);
            return CompletableFuture.completedFuture(redis.opsForList().leftPop(key, timeout));
        }

        @Greenlet
        public CompletableFuture<String> popHoldingMonitor(String key, Duration timeout) {
            synchronized (monitor) {
                return CompletableFuture.completedFuture(redis.opsForList().leftPop(key, timeout));
            }
        }

        @Greenlet
        public CompletableFuture<String> popHoldingLock(String key, Duration timeout) {
            lock.lock();
            try {
                return CompletableFuture.completedFuture(redis.opsForList().leftPop(key, timeout));
            } finally {
                lock.unlock();
            }
        }

        @Spawn
        public dev.greenlet.Greenlet<String> spawnPop(String key, Duration timeout) {
            return dev.greenlet.Greenlet.completed(redis.opsForList().leftPop(key, timeout));
        }
    }

    /** HTTP: one GET per call, through a RestClient from Boot's builder (the JDK HttpClient by default). */
    @Service
    public static class Calls {
        private final RestClient client;
        private final Object monitor = new Object();
        private final Lock lock = new ReentrantLock();

        Calls(RestClient.Builder builder) {
            this.client = builder.build();
        }

        @Greenlet
        public CompletableFuture<String> get(String url) {
            return CompletableFuture.completedFuture(client.get().uri(url).retrieve().body(String.class));
        }

        @Greenlet
        public CompletableFuture<String> sleepThenGet(Duration sleep, String url) {
            pause(sleep);
            return CompletableFuture.completedFuture(client.get().uri(url).retrieve().body(String.class));
        }

        @Greenlet
        public CompletableFuture<String> getHoldingMonitor(String url) {
            synchronized (monitor) {
                return CompletableFuture.completedFuture(client.get().uri(url).retrieve().body(String.class));
            }
        }

        @Greenlet
        public CompletableFuture<String> getHoldingLock(String url) {
            lock.lock();
            try {
                return CompletableFuture.completedFuture(client.get().uri(url).retrieve().body(String.class));
            } finally {
                lock.unlock();
            }
        }

        @Spawn
        public dev.greenlet.Greenlet<String> spawnGet(String url) {
            return dev.greenlet.Greenlet.completed(client.get().uri(url).retrieve().body(String.class));
        }
    }

    /** The endpoint the HTTP calls go to: answers after {@code ms}, and records each {@code tag} on arrival. */
    @RestController
    public static class SlowController {
        private final Set<String> arrived = ConcurrentHashMap.newKeySet();

        @GetMapping("/slow")
        String slow(@RequestParam long ms, @RequestParam(required = false) String tag) throws InterruptedException {
            if (tag != null) {
                arrived.add(tag);
            }
            Thread.sleep(ms); // a Tomcat worker thread, not a greenlet
            return "ok";
        }

        /** Whether a request with {@code tag} has arrived. */
        public boolean arrived(String tag) {
            return arrived.contains(tag);
        }
    }

    /**
     * {@code Thread.sleep}, with the interrupt handled as applications usually do: the flag set
     * again and an unchecked exception thrown.
     */
    static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sleeping", e);
        }
    }

    /**
     * Plain JDK waits in a greenlet, each reporting its thread just before it waits: what the
     * tests kill besides I/O.
     */
    @Service
    public static class Waits {

        @Spawn
        public dev.greenlet.Greenlet<String> sleep(Duration duration, CompletableFuture<Thread> started) {
            started.complete(Thread.currentThread());
            pause(duration);
            return dev.greenlet.Greenlet.completed("slept");
        }

        @Spawn
        public dev.greenlet.Greenlet<String> enter(Object monitor, CompletableFuture<Thread> started) {
            started.complete(Thread.currentThread());
            synchronized (monitor) {
                return dev.greenlet.Greenlet.completed("entered");
            }
        }

        @Spawn
        public dev.greenlet.Greenlet<String> lock(Lock lock, CompletableFuture<Thread> started) {
            started.complete(Thread.currentThread());
            lock.lock();
            try {
                return dev.greenlet.Greenlet.completed("locked");
            } finally {
                lock.unlock();
            }
        }
    }
}
