package dev.greenlet.spring.web;

import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import dev.greenlet.Deadline;
import dev.greenlet.spring.GreenletHubs;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs each request that is not excluded as a greenlet, as gunicorn's gevent worker runs each
 * request as a greenlet. The embedded server serves connections on plain virtual threads (as
 * Boot's {@code spring.threads.virtual.enabled} does); {@link RequestGreenletFilter}, the first
 * filter, hands each request here, which spawns a greenlet named after it ({@code "GET /orders"})
 * on the hub {@link GreenletHubs#next()} picks at that moment (the least loaded one that is not
 * stalled), runs the rest of the filter chain and the handler in it, and waits for it on the
 * server's virtual thread. With the carrier engine, whatever the request waits on (JDBC, Redis,
 * RestClient, {@code Thread.sleep}, locks) lets the hub's other greenlets run.
 *
 * <p>How it works, and the invariant shutdown relies on: {@link #serve} registers a request in
 * the set of live requests before its greenlet starts and removes it only after it has decided
 * the response, so the set holds every request whose outcome is still open. Each request's state
 * moves once from RUNNING, either to DONE (by its server thread, once the greenlet ended) or to
 * KILLED (by the shutdown, which names exactly the requests it moved); a request moved to KILLED
 * never gets its handler's response: the server thread answers 503 if nothing was sent yet, or
 * aborts the connection if the handler already committed it. So no request named as killed
 * answers 200.
 *
 * <p>Shutdown: as a {@link SmartLifecycle} in the phase of the web server's graceful shutdown, it
 * waits until {@link GreenletHubs#shutdownDeadline()} ({@code greenlet.shutdown.timeout} after
 * shutdown began, shared with the hubs) for the requests in flight while the server refuses new
 * ones, then kills those still running, names them by method and path in one log line, and waits
 * at most {@link GreenletHubs#KILL_GRACE} more for them. With {@code server.shutdown=immediate}
 * it does not wait here; the hubs' own shutdown (after the server's) waits and kills.
 */
public class GreenletRequestExecutor implements SmartLifecycle {

    private static final Log logger = LogFactory.getLog(GreenletRequestExecutor.class);

    private static final int RUNNING = 0;    // nothing of the response written yet
    private static final int RESPONDING = 1; // the handler began writing its response
    private static final int DONE = 2;       // its greenlet ended; the server thread sends what it wrote
    private static final int KILLED = 3;     // killed at shutdown before it began its response: it gets a 503

    /**
     * A request served as a greenlet. Its state moves RUNNING, then RESPONDING (optional), then
     * DONE; or RUNNING to KILLED, once, by the shutdown, after which it can write nothing.
     */
    private static final class Request implements RespondingResponse.Claim {
        final AtomicInteger state = new AtomicInteger(RUNNING);
        final String name;       // method and raw path, as spawned: the greenlet itself is renamed to the path
                                 //   template once Spring MVC picks the handler (RequestPatternNamer)
        Greenlet<Void> greenlet;

        Request(String name) {
            this.name = name;
        }

        @Override
        public void beginResponse() throws IOException {
            if (!state.compareAndSet(RUNNING, RESPONDING) && state.get() == KILLED) {
                throw new IOException("request '" + name + "' was killed at shutdown ("
                        + "greenlet.shutdown.timeout) before it began its response");
            }
        }
    }

    /** The body of a request greenlet: the rest of the filter chain, writing to the response it is given. */
    @FunctionalInterface
    public interface Body {
        void run(HttpServletResponse response) throws IOException, ServletException;
    }

    private final GreenletHubs hubs;
    private final boolean graceful;
    private final Set<Request> live = ConcurrentHashMap.newKeySet();
    private volatile boolean running;

    /**
     * @param hubs     the hubs the requests go to; they must run the carrier engine
     * @param graceful whether the web server shuts down gracefully ({@code server.shutdown})
     * @throws IllegalStateException if the hubs are on the permit engine
     */
    public GreenletRequestExecutor(GreenletHubs hubs, boolean graceful) {
        this.hubs = Objects.requireNonNull(hubs, "hubs");
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
     * Runs {@code body} as a greenlet named {@code name} on the hub picked now, and waits for it on
     * the calling (server) thread. Its failure is rethrown here, so the server handles it as it
     * would on its own thread (error page, log); a killed request answers 5xx.
     *
     * @throws ServletException if the greenlet was killed, or failed with a checked exception other
     *         than {@code IOException}/{@code ServletException}
     */
    public void serve(String name, HttpServletResponse response, Body body) throws IOException, ServletException {
        Hub hub = hubs.next();
        Request request = new Request(name);
        Throwable[] failure = new Throwable[1];
        HttpServletResponse claimed = new RespondingResponse(response, request);
        Greenlet<Void> g = new Greenlet<>(hub, name, () -> {
            try {
                body.run(claimed);
            } catch (IOException | ServletException | RuntimeException | Error e) {
                failure[0] = e; // the server thread rethrows it: the container reports it, as on its own thread
            }
            return null;
        });
        request.greenlet = g;
        live.add(request);
        try {
            try {
                g.start();
            } catch (IllegalStateException closed) {
                request.state.set(DONE);
                response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "shutting down");
                return;
            }
            g.join();
            if (request.state.getAndUpdate(s -> s == KILLED ? KILLED : DONE) == KILLED) {
                answerKilled(name, response);
                return;
            }
        } finally {
            live.remove(request);
        }
        if (g.isKilled()) {
            throw new ServletException("request greenlet '" + name + "' was killed", g.exception());
        }
        Throwable t = failure[0];
        if (t instanceof IOException io) {
            throw io;
        }
        if (t instanceof ServletException se) {
            throw se;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
    }

    /**
     * A request the shutdown killed and named: never its handler's response. It wrote nothing (its
     * writes fail once it is killed), so it answers 503; should the server have committed the
     * response anyway, the exception makes it abort the connection rather than end it as complete.
     */
    private static void answerKilled(String name, HttpServletResponse response) throws IOException, ServletException {
        if (!response.isCommitted()) {
            response.reset();
            response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            response.setHeader("Connection", "close");
            response.setContentType("text/plain;charset=UTF-8");
            response.getWriter().write("killed at shutdown (greenlet.shutdown.timeout)\n");
            response.flushBuffer();
            return;
        }
        throw new ServletException("request greenlet '" + name + "' was killed at shutdown after it began its response");
    }

    /** The request greenlets running now (started and not ended), for diagnostics and tests. */
    public List<Greenlet<?>> requestGreenlets() {
        List<Greenlet<?>> greenlets = new ArrayList<>();
        for (Request r : live) {
            if (r.greenlet != null && !r.greenlet.isDead()) {
                greenlets.add(r.greenlet);
            }
        }
        return greenlets;
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

    /**
     * Waits until the shutdown deadline for the requests in flight, then kills the rest and names
     * each by its request; waits at most {@link GreenletHubs#KILL_GRACE} more for them to die.
     */
    private void drainThenKill() {
        Deadline deadline = hubs.shutdownDeadline();
        for (Request r : List.copyOf(live)) {
            if (!deadline.isPast()) {
                r.greenlet.join(deadline.remaining());
            }
        }
        List<Request> killed = new ArrayList<>();
        List<Request> responding = new ArrayList<>();
        for (Request r : List.copyOf(live)) {
            if (r.state.compareAndSet(RUNNING, KILLED)) { // named here, so it never answers with its handler's response
                killed.add(r);
            } else if (r.state.get() == RESPONDING && !r.greenlet.isDead()) {
                responding.add(r); // its client may have its answer already: let it finish within the grace
            }
        }
        for (Request r : killed) {
            r.greenlet.killUrgently();
        }
        if (!killed.isEmpty()) {
            List<String> names = names(killed);
            logger.warn("Killed " + killed.size() + " request greenlet(s) still running "
                    + hubs.shutdownTimeout().toMillis() + " ms after shutdown began ("
                    + "greenlet.shutdown.timeout); each answers 503: " + firstTwenty(names));
            if (names.size() > 20 && logger.isDebugEnabled()) {
                logger.debug("All " + names.size() + " request greenlets killed at shutdown: " + String.join(", ", names));
            }
        }
        Deadline graceDeadline = Deadline.of(GreenletHubs.KILL_GRACE);
        List<Request> abandoned = new ArrayList<>();
        for (Request r : killed) {
            if (!r.greenlet.join(graceDeadline.remaining())) {
                abandoned.add(r);
            }
        }
        List<Request> cutOff = new ArrayList<>();
        for (Request r : responding) {
            if (!r.greenlet.join(graceDeadline.remaining())) {
                r.greenlet.killUrgently();
                cutOff.add(r);
            }
        }
        if (!cutOff.isEmpty()) {
            logger.warn("Killed " + cutOff.size() + " request greenlet(s) still sending their response "
                    + GreenletHubs.KILL_GRACE.toMillis() + " ms after the shutdown deadline ("
                    + "greenlet.shutdown.timeout); their clients may get a cut-off response: "
                    + firstTwenty(names(cutOff)));
        }
        if (!abandoned.isEmpty()) {
            logger.error("Abandoned " + abandoned.size() + " killed request greenlet(s) that did not end within "
                    + GreenletHubs.KILL_GRACE.toMillis() + " ms of their kill (each holds its hub without a"
                    + " cooperative point; its client gets a 503 if it ever ends): " + firstTwenty(names(abandoned)));
        }
    }

    private static List<String> names(List<Request> requests) {
        List<String> names = new ArrayList<>();
        for (Request r : requests) {
            names.add("'" + r.name + "'"); // the request's method and raw path, fixed when it was spawned
        }
        return names;
    }

    private static String firstTwenty(List<String> names) {
        return names.size() <= 20 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 20)) + " and " + (names.size() - 20) + " more";
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
