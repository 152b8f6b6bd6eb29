package dev.greenlet.spring;

import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import dev.greenlet.Deadline;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The application's hubs and their lifecycle: work is spread over them round-robin, each
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
        this.shutdownTimeout = shutdownTimeout;
        this.maxBlockingTime = maxBlockingTime;
        for (Hub hub : this.hubs) {
            if (hub.errorHandler() == Hub.ErrorHandler.LOGGING) {
                hub.setErrorHandler(FAILURE_LOGGING);
            }
        }
    }

    /**
     * What the hubs' default error handler becomes: the same line, through the application's
     * logging (commons-logging, as Spring logs), which keeps working while the context closes,
     * when Boot has already taken down the {@code java.util.logging} bridge that the core's
     * {@code System.Logger} goes through. Failures of greenlets whose caller holds a future are
     * left out when {@code greenlet.executor.log-future-failures=false}. Bounded as the core's
     * default is ({@link dev.greenlet.diagnostics.FailureLog}): of each kind and place, the first 3
     * in 10 s with their stack, the rest counted in one line; the {@code greenlet.failed} meter
     * still counts each.
     */
    private static final dev.greenlet.diagnostics.FailureLog FAILURES = new dev.greenlet.diagnostics.FailureLog(
            3, Duration.ofSeconds(10), (message, error) -> {
                if (error != null) {
                    logger.error(message, error);
                } else {
                    logger.warn(message);
                }
            });

    private static final Hub.ErrorHandler FAILURE_LOGGING = (greenlet, error) -> {
        if (!GreenletTaskExecutor.isFailureQuieted()) {
            FAILURES.failed(greenlet + " failed with " + error, error);
        }
    };

    /** The hubs, the first one being the {@code Hub} bean. */
    public List<Hub> hubs() {
        return hubs;
    }

    /**
     * The hub for the next piece of work: the calling greenlet's own hub when it is one of these
     * (as gevent spawns on the current hub, so a request greenlet's {@code @Greenlet} calls run
     * beside it), else the next one round-robin.
     */
    public Hub next() {
        if (hubs.size() == 1) {
            return hubs.get(0);
        }
        Greenlet<?> caller = Greenlet.current();
        if (caller != null && hubs.contains(caller.hub())) {
            return caller.hub();
        }
        return hubs.get(Math.floorMod(next.getAndIncrement(), hubs.size()));
    }

    @Override
    public void start() {
        for (Hub hub : hubs) {
            hub.reopen(); // started again after a stop (a restarted or resumed context)
        }
        if (maxBlockingTime != null) {
            for (Hub hub : hubs) {
                if (hub.monitor() == null) {
                    hub.startMonitor(maxBlockingTime);
                }
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
     * Stops every hub gracefully: no new greenlets, then up to the shutdown timeout for the
     * running ones (shared by all hubs), then kills the rest, logging each.
     */
    @Override
    public void stop() {
        running = false;
        Hub.uninstallDefault(hubs.get(0), previousDefault);
        Deadline deadline = Deadline.of(shutdownTimeout);
        for (Hub hub : hubs) {
            List<Greenlet<?>> killed = hub.shutdownQuietly(deadline.remaining()); // logged here, once
            if (!killed.isEmpty()) {
                logger.warn("Hub '" + hub.name() + "' closed; killed " + killed.size() + " greenlet(s) still running "
                        + shutdownTimeout.toMillis() + " ms after shutdown began (greenlet.shutdown.timeout"
                        + "): " + (killed.size() <= 20 ? killed : killed.subList(0, 20) + " and " + (killed.size() - 20)
                                + " more"));
            }
            for (Greenlet<?> g : killed) {
                if (!g.isDead()) {
                    logger.error(g + " of hub '" + hub.name() + "' ignored GreenletExit and is still running");
                }
            }
        }
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
