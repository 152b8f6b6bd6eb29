package dev.greenlet.spring.web;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.spring.GreenletHubs;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.MDC;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A web application as a user writes it, with {@code greenlet.web.enabled} and
 * {@code greenlet.monkey.patch-all} (set by each test): plain blocking handlers. Each handler
 * answers with what it saw of its greenlet, so the tests can check every request ran in one.
 * (JDBC and Redis are on this module's test class path for the services tests; they are not
 * configured here.)
 */
@SpringBootApplication(exclude = { DataSourceAutoConfiguration.class, DataRedisAutoConfiguration.class })
public class WebApplication {

    /** Requests inside a handler right now, and the most seen at once. */
    static final AtomicInteger inFlight = new AtomicInteger();
    static final AtomicInteger maxInFlight = new AtomicInteger();

    /** Requests in {@code /spin}'s CPU loop right now. */
    static final AtomicInteger spinning = new AtomicInteger();

    /** Request greenlets parked in {@code /park}, by the key the test gave, for the test to kill. */
    static final Map<String, Greenlet<?>> parked = new ConcurrentHashMap<>();

    static void reset() {
        inFlight.set(0);
        maxInFlight.set(0);
        spinning.set(0);
        parked.clear();
    }

    @Service
    public static class Lookup {

        /** Runs as a greenlet of its own; answers with the hub it ran on. */
        @dev.greenlet.spring.Greenlet
        public java.util.concurrent.CompletableFuture<String> hubName() {
            return java.util.concurrent.CompletableFuture.completedFuture(Gevent.getCurrent().hub().name());
        }
    }

    @RestController
    public static class Handlers {

        private final GreenletHubs hubs;
        private final Lookup lookup;

        Handlers(GreenletHubs hubs, Lookup lookup) {
            this.hubs = hubs;
            this.lookup = lookup;
        }

        /** Sleeps with plain Thread.sleep; answers "greenlet=<id> hub=<hub> name=<greenlet's name>". */
        @GetMapping("/sleep")
        public String sleep(@RequestParam long ms) throws InterruptedException {
            Greenlet<?> me = Gevent.getCurrent();
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            try {
                Thread.sleep(ms);
            } finally {
                inFlight.decrementAndGet();
            }
            return me == null ? "greenlet=none" : "greenlet=" + me.id() + " hub=" + me.hub().name() + " name=" + me.name();
        }

        /** The same, under a path that names the request, for tests that tell requests apart by their greenlet's name. */
        @GetMapping("/sleep/{id}")
        public String sleepNamed(@org.springframework.web.bind.annotation.PathVariable String id, @RequestParam long ms)
                throws InterruptedException {
            return sleep(ms);
        }

        /** The same, under a path of its own, for requests a test expects to be killed. */
        @GetMapping("/long")
        public String longSleep(@RequestParam long ms) throws InterruptedException {
            return sleep(ms);
        }

        /** Puts {@code id} in the MDC, sleeps while other requests put theirs, and answers what the MDC holds. */
        @GetMapping("/mdc")
        public String mdc(@RequestParam String id) throws InterruptedException {
            MDC.put("request", id);
            try {
                Thread.sleep(50);
                return MDC.get("request");
            } finally {
                MDC.remove("request");
            }
        }

        /** Parks for a minute, registered under {@code key}, for the test to kill. */
        @GetMapping("/park")
        public String park(@RequestParam String key) throws InterruptedException {
            parked.put(key, Gevent.getCurrent());
            Thread.sleep(60_000);
            return "not killed";
        }

        /** Spawns with Gevent.spawn and calls a @Greenlet method; answers the hubs they and the request ran on. */
        @GetMapping("/spawn")
        public String spawn() {
            String request = Gevent.getCurrent().hub().name();
            String spawned = Gevent.spawn(() -> Gevent.getCurrent().hub().name()).get();
            String annotated = lookup.hubName().join();
            return request + " " + spawned + " " + annotated + " " + hubs.hubs().stream().map(h -> h.name()).toList();
        }

        /** Holds its hub in a CPU loop for {@code ms} without a cooperative point. */
        @GetMapping("/spin")
        public String spin(@RequestParam long ms) {
            long end = System.nanoTime() + ms * 1_000_000;
            long x = 0;
            spinning.incrementAndGet();
            try {
                while (System.nanoTime() < end) {
                    x += System.identityHashCode(this) ^ x;
                }
            } finally {
                spinning.decrementAndGet();
            }
            return "spun " + (x == 42 ? "" : "done");
        }
    }
}
