package dev.greenlet.spring;

import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import dev.greenlet.diagnostics.HubMonitor;
import dev.greenlet.internal.FailureLog;
import dev.greenlet.Deadline;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The application's hubs and their lifecycle: new work from outside the hubs goes to the least
 * loaded hub that is not stalled (see {@link #next()}), each
 * optionally watched by a {@link dev.greenlet.diagnostics.HubMonitor}, and on shutdown each stops accepting greenlets,
 * waits for the running ones up to a timeout, then kills what is left and logs, once, what it
 * killed and why. Hubs that log failures with the core's default handler log them through the
 * application's logging instead, which still works during shutdown. While they run, the first hub is the JVM's {@linkplain Hub#getDefault() default
 * hub}, so that {@code Gevent.spawn} from a request thread lands on a hub that is monitored,
 * metered and shut down here, not on a second one nobody watches.
 *
 * <p>It stops after the web server (a lower lifecycle phase), so requests that are still being
 * served can finish their greenlets first.
 */
public class GreenletHubs implements SmartLifecycle {

    /** The lifecycle phase: below the web server's graceful shutdown, so hubs stop after it. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private static final Log logger = LogFactory.getLog(GreenletHubs.class);

    private final List<Hub> hubs;
    private final Duration shutdownTimeout;
    private final Duration maxBlockingTime; // null: no monitor
    private final AtomicInteger next = new AtomicInteger();
    private volatile boolean running;
    private Deadline shutdownDeadline; // guarded by this; null: no shutdown under way
    private Hub previousDefault; // what Hub.installDefault returned at start; put back at stop

    /**
     * @param hubs            at least one hub
     * @param shutdownTimeout how long {@link #stop()} waits for running greenlets before it kills them
     * @param maxBlockingTime the monitor's threshold, or null for no monitor
     */
    public GreenletHubs(List<Hub> hubs, Duration shutdownTimeout, Duration maxBlockingTime) {
        if (hubs.isEmpty()) {
            throw new IllegalArgumentException("GreenletHubs needs at least one hub");
        }
        this.hubs = List.copyOf(hubs);
        this.shutdownTimeout = java.util.Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        this.maxBlockingTime = maxBlockingTime;
        for (Hub hub : this.hubs) {
            if (hub.errorHandler() == Hub.ErrorHandler.LOGGING) {
                hub.setErrorHandler(failureLogging);
            }
        }
    }

    /** Failures of one kind and place logged in full per {@link #FAILURE_SUMMARY_INTERVAL}; the rest are summed up. */
    static final int FAILURES_IN_FULL = 3;

    /** The interval of failure summaries. */
    static final Duration FAILURE_SUMMARY_INTERVAL = Duration.ofMinutes(1);

    private final FailureLog failureLog = new FailureLog(FAILURES_IN_FULL, FAILURE_SUMMARY_INTERVAL,
            (message, error) -> {
                if (error == null) {
                    logger.error(message);
                } else {
                    logger.error(message, error);
                }
            });

    /**
     * What the hubs' default error handler becomes: the same line, through the application's
     * logging (commons-logging, as Spring logs), which keeps working while the context closes,
     * when Boot has already taken down the {@code java.util.logging} bridge that the core's
     * {@code System.Logger} goes through; bounded by a {@link FailureLog}, so that a storm of
     * one failure logs its first few in full and then a count per minute. Failures of greenlets
     * whose caller holds a future are left out when
     * {@code greenlet.executor.log-future-failures=false}.
     */
    private final Hub.ErrorHandler failureLogging = (greenlet, error) -> {
        if (!GreenletTaskExecutor.isFailureQuieted()) {
            failureLog.failed(greenlet + " failed with " + error, error);
        }
    };

    /** The hubs, the first one being the {@code Hub} bean. */
    public List<Hub> hubs() {
        return hubs;
    }

    /**
     * The hub for the next piece of work. Inside a greenlet of one of these hubs: the caller's own
     * hub (as gevent spawns on the current hub, so a request's {@code @Greenlet} calls run beside
     * it). From any other thread (a request's server thread, a scheduler, {@code main}): the hub
     * with the fewest live greenlets among those that are not stalled, so one CPU-bound
     * greenlet's hub gets no new work while it holds its hub; ties go round-robin. When every
     * hub is stalled, the least loaded of all.
     *
     * <p>A hub counts as stalled while its monitor sees one greenlet holding it for at least the
     * monitor's threshold ({@code greenlet.monitor.max-blocking-time}); without a monitor, no hub
     * ever does and only the load decides.
     */
    public Hub next() {
        if (hubs.size() == 1) {
            return hubs.get(0);
        }
        Greenlet<?> caller = Greenlet.current();
        if (caller != null && hubs.contains(caller.hub())) {
            return caller.hub();
        }
        int n = hubs.size();
        int start = Math.floorMod(next.getAndIncrement(), n);
        Hub best = null;
        int bestLoad = Integer.MAX_VALUE;
        Hub bestStalled = null;
        int bestStalledLoad = Integer.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            Hub hub = hubs.get((start + i) % n);
            int load = hub.liveCount();
            if (isStalled(hub)) {
                if (load < bestStalledLoad) {
                    bestStalled = hub;
                    bestStalledLoad = load;
                }
            } else if (load < bestLoad) {
                best = hub;
                bestLoad = load;
            }
        }
        return best != null ? best : bestStalled;
    }

    /** Whether one greenlet has held {@code hub} for at least its monitor's threshold, as last sampled. */
    static boolean isStalled(Hub hub) {
        HubMonitor monitor = HubMonitor.of(hub);
        return monitor != null && monitor.isStalled();
    }

    /**
     * The deadline of the shutdown under way: set by the first call
     * once stopping has begun ({@code greenlet.shutdown.timeout} from then), so that the request
     * executor's wait and the hubs' own share one limit rather than adding theirs up. Cleared by
     * {@link #start()}.
     */
    public Deadline shutdownDeadline() {
        synchronized (this) {
            if (shutdownDeadline == null) {
                shutdownDeadline = Deadline.of(shutdownTimeout);
            }
            return shutdownDeadline;
        }
    }

    /** The shutdown timeout, {@code greenlet.shutdown.timeout}. */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    @Override
    public void start() {
        synchronized (this) {
            shutdownDeadline = null;
        }
        for (Hub hub : hubs) {
            hub.reopen(); // started again after a stop (a restarted or resumed context)
        }
        if (maxBlockingTime != null && !running) {
            for (Hub hub : hubs) {
                HubMonitor.start(hub, maxBlockingTime); // replaces one still running from before a restart
            }
        }
        if (!running && logger.isInfoEnabled()) {
            logger.info(hubs.size() + " greenlet hub(s) " + hubs.stream().map(Hub::name).toList() + " on the "
                    + hubs.get(0).engine().name().toLowerCase(java.util.Locale.ROOT) + " engine; monkey patches: "
                    + dev.greenlet.monkey.Monkey.patched());
        }
        if (!running) {
            previousDefault = Hub.installDefault(hubs.get(0));
        }
        running = true;
    }

    /**
     * How long shutdown waits, past {@code greenlet.shutdown.timeout}, for killed greenlets to
     * die before it gives up on them and names them as abandoned: a kill lands at the killed
     * greenlet's next cooperative point, which one stuck in a CPU loop or a non-cooperative call
     * never reaches.
     */
    public static final Duration KILL_GRACE = Duration.ofSeconds(2);

    /** What stopping waits past a hub's own bound ({@link #KILL_GRACE} after the deadline) before it calls the hub stuck. */
    static final Duration STUCK_MARGIN = Duration.ofSeconds(1);

    /**
     * Stops every hub gracefully, all at once: no new greenlets, then up to the shutdown timeout
     * for the running ones (one deadline for all hubs, shared with the request executor), then
     * kills the rest and logs them. It returns by the deadline plus {@link #KILL_GRACE} whatever
     * the hubs do: a hub whose greenlets ignore their kill (stuck in a CPU loop or a deadlock
     * outside the hub's reach) is named as abandoned, with those greenlets, and left behind.
     */
    @Override
    public void stop() {
        running = false;
        Hub.uninstallDefault(hubs.get(0), previousDefault);
        Deadline deadline = shutdownDeadline();
        java.util.Map<Hub, java.util.concurrent.CompletableFuture<List<Greenlet<?>>>> stopping = new java.util.LinkedHashMap<>();
        for (Hub hub : hubs) {
            java.util.concurrent.CompletableFuture<List<Greenlet<?>>> done = new java.util.concurrent.CompletableFuture<>();
            Thread.ofPlatform().daemon().name("greenlet-shutdown-" + hub.name()).start(() -> {
                try {
                    done.complete(hub.shutdownQuietly(deadline.remaining(), KILL_GRACE)); // urgent kills at the deadline
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                }
            });
            stopping.put(hub, done);
        }
        // A hub's shutdownQuietly returns by the deadline, plus the time to kill, plus KILL_GRACE: wait
        // a little more than that before calling a hub stuck, so a slow kill is still reported as killed.
        long graceDeadline = System.nanoTime() + deadline.remaining().plus(KILL_GRACE).plus(STUCK_MARGIN).toNanos();
        for (java.util.Map.Entry<Hub, java.util.concurrent.CompletableFuture<List<Greenlet<?>>>> e : stopping.entrySet()) {
            Hub hub = e.getKey();
            List<Greenlet<?>> killed;
            try {
                killed = e.getValue().get(Math.max(0, graceDeadline - System.nanoTime()),
                        java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException stuck) {
                List<Greenlet<?>> left = hub.greenlets();
                logger.error("Hub '" + hub.name() + "' abandoned: its greenlets did not end within "
                        + shutdownTimeout.toMillis() + " ms (greenlet.shutdown.timeout) plus "
                        + KILL_GRACE.toMillis() + " ms after their kill; still running: " + describe(left));
                continue;
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                logger.error("Hub shutdown interrupted; abandoned hub '" + hub.name() + "' with " + describe(hub.greenlets()));
                continue;
            } catch (java.util.concurrent.ExecutionException failed) {
                logger.error("Hub '" + hub.name() + "' failed to shut down", failed.getCause());
                continue;
            }
            if (!killed.isEmpty()) {
                logger.warn("Hub '" + hub.name() + "' closed; killed " + killed.size() + " greenlet(s) still running "
                        + shutdownTimeout.toMillis() + " ms after shutdown began (greenlet.shutdown.timeout"
                        + "): " + describe(killed));
            }
            List<Greenlet<?>> ignored = killed.stream().filter(g -> !g.isDead()).toList();
            if (!ignored.isEmpty()) {
                logger.error("Hub '" + hub.name() + "' abandoned " + ignored.size()
                        + " greenlet(s) that ignored their kill and are still running: " + describe(ignored));
            }
        }
        stopSummaries();
    }

    /** Writes the summary of failures counted and not yet logged, now that no more will come. */
    private void stopSummaries() {
        failureLog.flush();
    }

    /** The first 20 greenlets by name, and how many more: one readable log line. */
    static String describe(List<Greenlet<?>> greenlets) {
        List<String> names = greenlets.stream().limit(20).map(g -> "'" + g.name() + "'").toList();
        return String.join(", ", names) + (greenlets.size() > 20 ? " and " + (greenlets.size() - 20) + " more" : "");
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
