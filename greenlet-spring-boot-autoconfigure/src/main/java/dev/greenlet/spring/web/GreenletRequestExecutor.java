package dev.greenlet.spring.web;

import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import dev.greenlet.Deadline;
import dev.greenlet.spring.GreenletHubs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The embedded server's request executor: each task the server hands it (Tomcat's socket
 * processor, Jetty's blocking request handling) runs as a greenlet on the next hub, as
 * gunicorn's gevent worker runs each request as a greenlet. With the carrier engine, whatever
 * the request waits on (JDBC, Redis, RestClient, {@code Thread.sleep}, locks) lets the hub's
 * other greenlets run, so one hub holds thousands of slow requests; the server's acceptor and
 * poller threads stay plain platform threads and keep answering.
 *
 * <p>How it works: {@link #execute} creates the greenlet, adds it to the set of live request
 * greenlets and links its removal before starting it, so the set holds every request greenlet
 * that has started and not yet ended (the invariant the shutdown relies on). It never blocks the
 * server's thread: spawning from a foreign thread only queues the greenlet for its hub.
 *
 * <p>Shutdown: as a {@link SmartLifecycle} in the phase of the web server's graceful shutdown,
 * it waits up to {@code greenlet.shutdown.timeout} for the request greenlets in flight while the
 * server refuses new requests as Boot makes it, then kills those still running and names them in
 * one log line (a greenlet's name is the request's method and path, see {@link RequestGreenletFilter}). A
 * killed request ends with a 5xx for its client. With {@code server.shutdown=immediate} it does
 * not wait here; the hubs' own shutdown (after the server's) then waits and kills.
 */
public class GreenletRequestExecutor implements Executor, SmartLifecycle {

    /** The name of a request greenlet between requests (while the server reads or closes a connection). */
    public static final String IDLE_NAME = "http-request";

    private static final Log logger = LogFactory.getLog(GreenletRequestExecutor.class);

    private final GreenletHubs hubs;
    private final Duration shutdownTimeout;
    private final boolean graceful;
    private final Set<Greenlet<?>> live = ConcurrentHashMap.newKeySet();
    private volatile boolean running;

    /**
     * @param hubs            the hubs the requests are spread over, round-robin; they must run
     *                        the carrier engine
     * @param shutdownTimeout how long a graceful shutdown waits for requests in flight before it
     *                        kills them
     * @param graceful        whether the web server shuts down gracefully ({@code server.shutdown})
     * @throws IllegalStateException if the hubs are on the permit engine
     */
    public GreenletRequestExecutor(GreenletHubs hubs, Duration shutdownTimeout, boolean graceful) {
        this.hubs = Objects.requireNonNull(hubs, "hubs");
        this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        this.graceful = graceful;
        for (Hub hub : hubs.hubs()) {
            if (hub.engine() != Hub.Engine.CARRIER) {
                throw new IllegalStateException("greenlet.web.enabled=true needs the carrier engine, but hub '"
                        + hub.name() + "' runs the " + hub.engine().name().toLowerCase(java.util.Locale.ROOT)
                        + " engine, on which a request that waits in JDBC, a Redis client or Thread.sleep would"
                        + " hold its hub and serialise every request: set greenlet.monkey.patch-all=true (and"
                        + " start the JVM with --add-opens java.base/java.lang=ALL-UNNAMED), or remove"
                        + " greenlet.web.enabled");
            }
        }
    }

    /**
     * Runs {@code task} as a greenlet on the next hub.
     *
     * @throws RejectedExecutionException if the hubs are closed (the server closes the connection)
     */
    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        Hub hub = hubs.next();
        Greenlet<Void> g = new Greenlet<>(hub, IDLE_NAME, () -> {
            task.run();
            return null;
        });
        live.add(g);
        g.rawlink(() -> live.remove(g));
        try {
            g.start();
        } catch (IllegalStateException closed) {
            live.remove(g);
            throw new RejectedExecutionException("hub '" + hub.name() + "' is closed: " + closed.getMessage(), closed);
        }
    }

    /** The request greenlets running now (started and not ended), for diagnostics and tests. */
    public List<Greenlet<?>> requestGreenlets() {
        return List.copyOf(live);
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        if (graceful) {
            drainThenKill();
        }
        running = false;
    }

    @Override
    public void stop(Runnable callback) {
        if (!graceful || live.isEmpty()) {
            running = false;
            callback.run();
            return;
        }
        Thread.ofPlatform().name("greenlet-request-shutdown").daemon().start(() -> {
            try {
                drainThenKill();
            } finally {
                running = false;
                callback.run();
            }
        });
    }

    /** Waits up to the shutdown timeout for the requests in flight, then kills the rest and names them. */
    private void drainThenKill() {
        Deadline deadline = Deadline.of(shutdownTimeout);
        for (Greenlet<?> g : List.copyOf(live)) {
            if (!deadline.isPast()) {
                g.join(deadline.remaining());
            }
        }
        List<Greenlet<?>> killed = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Greenlet<?> g : List.copyOf(live)) {
            if (!g.isDead()) {
                names.add("'" + g.name() + "'"); // the request it serves, read before the kill unwinds it
                g.kill(false, null);
                killed.add(g);
            }
        }
        if (!killed.isEmpty()) {
            logger.warn("Killed " + killed.size() + " request greenlet(s) still running " + shutdownTimeout.toMillis()
                    + " ms after shutdown began (greenlet.shutdown.timeout): "
                    + (names.size() <= 20 ? String.join(", ", names)
                            : String.join(", ", names.subList(0, 20)) + " and " + (names.size() - 20) + " more"));
        }
        Deadline killDeadline = Deadline.of(Duration.ofSeconds(10));
        for (Greenlet<?> g : killed) {
            if (!g.join(killDeadline.remaining())) { // past the deadline: whether it is dead by now
                logger.error("Request greenlet '" + g.name() + "' ignored its kill and is still running");
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** The web server's graceful-shutdown phase, so the wait runs beside the server's own. */
    @Override
    public int getPhase() {
        return org.springframework.boot.web.server.context.WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE;
    }
}
