package dev.greenlet.spring.autoconfigure;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties for greenlets. Bad values fail start-up with a message that names the
 * property.
 *
 * <p>The constants are the properties' names, the one place they are spelled: conditions, the
 * monkey-patch post-processor, messages and tests use them.
 */
@ConfigurationProperties(GreenletProperties.PREFIX)
public class GreenletProperties {

    /** The prefix of every greenlet property. */
    public static final String PREFIX = "greenlet";
    /** {@link #isEnabled()}. */
    public static final String ENABLED = PREFIX + ".enabled";
    /** {@link Hub#getName()}. */
    public static final String HUB_NAME = PREFIX + ".hub.name";
    /** {@link Hub#getCount()}. */
    public static final String HUB_COUNT = PREFIX + ".hub.count";
    /** {@link Shutdown#getTimeout()}. */
    public static final String SHUTDOWN_TIMEOUT = PREFIX + ".shutdown.timeout";
    /** {@link Monitor#isEnabled()}. */
    public static final String MONITOR_ENABLED = PREFIX + ".monitor.enabled";
    /** {@link Monitor#getMaxBlockingTime()}. */
    public static final String MONITOR_MAX_BLOCKING_TIME = PREFIX + ".monitor.max-blocking-time";
    /** {@link Monitor#getUnhealthyAfter()}. */
    public static final String MONITOR_UNHEALTHY_AFTER = PREFIX + ".monitor.unhealthy-after";
    /** {@link Executor#isApplicationTaskExecutor()}. */
    public static final String EXECUTOR_APPLICATION_TASK_EXECUTOR = PREFIX + ".executor.application-task-executor";
    /** {@link Executor#isLogFutureFailures()}. */
    public static final String EXECUTOR_LOG_FUTURE_FAILURES = PREFIX + ".executor.log-future-failures";
    /** {@link Monkey#isPatchAll()}. */
    public static final String MONKEY_PATCH_ALL = PREFIX + ".monkey.patch-all";
    /** {@link Monkey#isPatchSocket()}. */
    public static final String MONKEY_PATCH_SOCKET = PREFIX + ".monkey.patch-socket";
    /** {@link Monkey#isPatchDns()}. */
    public static final String MONKEY_PATCH_DNS = PREFIX + ".monkey.patch-dns";
    /** {@link Monkey#isPatchHttpClients()}. */
    public static final String MONKEY_PATCH_HTTP_CLIENTS = PREFIX + ".monkey.patch-http-clients";
    /** {@link Web#isEnabled()}. */
    public static final String WEB_ENABLED = PREFIX + ".web.enabled";
    /** {@link Web#getExcludedPaths()}. */
    public static final String WEB_EXCLUDED_PATHS = PREFIX + ".web.excluded-paths";
    /** {@link Timeline#isEnabled()}. */
    public static final String TIMELINE_ENABLED = PREFIX + ".timeline.enabled";
    /** {@link Timeline#getKeep()}. */
    public static final String TIMELINE_KEEP = PREFIX + ".timeline.keep";
    /** {@link Timeline#getCapacityPerHub()}. */
    public static final String TIMELINE_CAPACITY_PER_HUB = PREFIX + ".timeline.capacity-per-hub";
    /** {@link Holders#isEnabled()}. */
    public static final String HOLDERS_ENABLED = PREFIX + ".holders.enabled";
    /** {@link Holders#getMaxNames()}. */
    public static final String HOLDERS_MAX_NAMES = PREFIX + ".holders.max-names";

    /**
     * Whether to auto-configure greenlets: hubs, the task executor, @Greenlet methods, the monkey
     * patch and the Actuator parts.
     */
    private boolean enabled = true;

    private final Hub hub = new Hub();

    private final Shutdown shutdown = new Shutdown();

    private final Monitor monitor = new Monitor();

    private final Executor executor = new Executor();

    private final Monkey monkey = new Monkey();

    private final Web web = new Web();

    private final Timeline timeline = new Timeline();

    private final Holders holders = new Holders();

    public boolean isEnabled() {
        return this.enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Hub getHub() {
        return this.hub;
    }

    public Shutdown getShutdown() {
        return this.shutdown;
    }

    public Monitor getMonitor() {
        return this.monitor;
    }

    public Executor getExecutor() {
        return this.executor;
    }

    public Monkey getMonkey() {
        return this.monkey;
    }

    public Web getWeb() {
        return this.web;
    }

    public Timeline getTimeline() {
        return this.timeline;
    }

    public Holders getHolders() {
        return this.holders;
    }

    public static class Timeline {

        /**
         * Whether to record every turn of each hub for the last seconds, for the Actuator's
         * greenlets/timeline (JSON for Perfetto or chrome://tracing, and an HTML page). Costs a
         * few tens of nanoseconds per turn and at most capacity-per-hub turns of memory per hub.
         */
        private boolean enabled = true;

        /** How far back the timeline keeps turns (at most 10m); a request may ask for less. */
        private Duration keep = Duration.ofSeconds(60);

        /**
         * Most turns the timeline keeps per hub (about 60 bytes each; at most 1,000,000); the oldest
         * go first. The memory grows with the turns kept, up to this.
         */
        private int capacityPerHub = dev.greenlet.diagnostics.Timeline.DEFAULT_CAPACITY;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getKeep() {
            return this.keep;
        }

        public void setKeep(Duration keep) {
            positiveOrZero(keep, TIMELINE_KEEP);
            if (keep.isZero() || keep.compareTo(dev.greenlet.diagnostics.Timeline.MAX_KEEP) > 0) {
                throw new IllegalArgumentException(TIMELINE_KEEP + " must be positive and at most "
                        + dev.greenlet.diagnostics.Timeline.MAX_KEEP.toMinutes() + "m, got " + keep);
            }
            this.keep = keep;
        }

        public int getCapacityPerHub() {
            return this.capacityPerHub;
        }

        public void setCapacityPerHub(int capacityPerHub) {
            if (capacityPerHub < 16 || capacityPerHub > dev.greenlet.diagnostics.Timeline.MAX_CAPACITY) {
                throw new IllegalArgumentException(TIMELINE_CAPACITY_PER_HUB + " must be between 16 and "
                        + dev.greenlet.diagnostics.Timeline.MAX_CAPACITY + ", got " + capacityPerHub);
            }
            this.capacityPerHub = capacityPerHub;
        }
    }

    public static class Holders {

        /**
         * Whether to count, per greenlet name (a request's method and path template, a @Greenlet
         * method, a spawned greenlet's name), the time it held its hub over the last minute: the
         * greenlets endpoint's "holders" and the greenlet.hold.* meters.
         */
        private boolean enabled = true;

        /** Most distinct names counted; turns of further names count under "(other)". */
        private int maxNames = 100;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getMaxNames() {
            return this.maxNames;
        }

        public void setMaxNames(int maxNames) {
            if (maxNames < 1 || maxNames > 10_000) {
                throw new IllegalArgumentException(HOLDERS_MAX_NAMES + " must be between 1 and 10000, got " + maxNames);
            }
            this.maxNames = maxNames;
        }
    }

    static Duration positiveOrZero(Duration d, String property) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(property + " must not be negative, got " + d);
        }
        return d;
    }

    public static class Hub {

        /**
         * Name of the hub, in logs, metrics and run-info dumps; with several hubs, each gets a
         * numbered suffix.
         */
        private String name = "greenlet";

        /**
         * Number of hubs. Greenlets of one hub run one at a time; new requests, work from the task
         * executor and @Greenlet methods called outside a greenlet go to the least loaded hub that
         * is not stalled. Default: the number of available processors with greenlet.web.enabled,
         * else 1.
         */
        private Integer count;

        public String getName() {
            return this.name;
        }

        public void setName(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException(HUB_NAME + " must not be blank");
            }
            this.name = name;
        }

        /** The count set, or null for the default (see the field). */
        public Integer getCount() {
            return this.count;
        }

        /**
         * The number of hubs to create: the count set, else the number of available processors
         * when requests run as greenlets (so one CPU-bound request holds one hub of several, not the
         * only one), else 1.
         */
        public int resolveCount(boolean requestGreenlets) {
            if (this.count != null) {
                return this.count;
            }
            return requestGreenlets ? Math.max(1, Runtime.getRuntime().availableProcessors()) : 1;
        }

        public void setCount(Integer count) {
            if (count != null && count < 1) {
                throw new IllegalArgumentException(HUB_COUNT + " must be at least 1, got " + count);
            }
            this.count = count;
        }
    }

    public static class Shutdown {

        /**
         * How long to wait, when the application context closes, for running greenlets to finish
         * before killing them. Killed greenlets then get 2 s more to end before they are named as
         * abandoned, so keep it at least 3 s below spring.lifecycle.timeout-per-shutdown-phase
         * (30 s by default): the default, 25 s, does.
         */
        private Duration timeout = Duration.ofSeconds(25);

        public Duration getTimeout() {
            return this.timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = positiveOrZero(timeout, SHUTDOWN_TIMEOUT);
        }
    }

    public static class Monitor {

        /**
         * Whether to watch each hub for greenlets that hold it without reaching a cooperative
         * point, and log each such stall with the greenlet's stack.
         */
        private boolean enabled = true;

        /**
         * How long a greenlet may hold its hub without a cooperative point before the monitor
         * reports it.
         */
        private Duration maxBlockingTime = Duration.ofMillis(100);

        /**
         * How long a greenlet may hold its hub without a cooperative point before the hub reports
         * itself down in the Actuator health endpoint.
         */
        private Duration unhealthyAfter = Duration.ofSeconds(5);

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getMaxBlockingTime() {
            return this.maxBlockingTime;
        }

        public void setMaxBlockingTime(Duration maxBlockingTime) {
            positiveOrZero(maxBlockingTime, MONITOR_MAX_BLOCKING_TIME);
            if (maxBlockingTime.isZero()) {
                throw new IllegalArgumentException(MONITOR_MAX_BLOCKING_TIME + " must be positive, got "
                        + maxBlockingTime + "; to turn the monitor off set " + MONITOR_ENABLED + "=false");
            }
            this.maxBlockingTime = maxBlockingTime;
        }

        public Duration getUnhealthyAfter() {
            return this.unhealthyAfter;
        }

        public void setUnhealthyAfter(Duration unhealthyAfter) {
            this.unhealthyAfter = positiveOrZero(unhealthyAfter, MONITOR_UNHEALTHY_AFTER);
        }
    }

    public static class Executor {

        /**
         * Whether the hubs also become Boot's applicationTaskExecutor, so that @Async methods and
         * Spring MVC's async request processing run as greenlets.
         */
        private boolean applicationTaskExecutor = false;

        /**
         * Whether to log the failure of a greenlet whose caller holds a future of it (@Greenlet
         * methods that return a future, the executor's submit methods). Such failures are counted
         * in greenlet.failed and fail the future either way.
         */
        private boolean logFutureFailures = true;

        public boolean isApplicationTaskExecutor() {
            return this.applicationTaskExecutor;
        }

        public void setApplicationTaskExecutor(boolean applicationTaskExecutor) {
            this.applicationTaskExecutor = applicationTaskExecutor;
        }

        public boolean isLogFutureFailures() {
            return this.logFutureFailures;
        }

        public void setLogFutureFailures(boolean logFutureFailures) {
            this.logFutureFailures = logFutureFailures;
        }
    }

    public static class Monkey {

        /**
         * Whether to apply gevent's patch_all, JVM-wide and before any bean is created, so that
         * every hub runs its greenlets on the carrier engine, where JDBC pools, Redis clients, the
         * JDK HttpClient, host name lookups, Thread.sleep, synchronized and java.util.concurrent
         * locks wait cooperatively (needs JDK 24+ and --add-opens java.base/java.lang=ALL-UNNAMED,
         * else start-up fails).
         */
        private boolean patchAll = false;

        /**
         * Whether to patch java.net sockets JVM-wide, before any bean is created, so that
         * blocking socket reads and writes wait cooperatively in greenlets on the permit engine.
         * Waits for a pooled connection (HikariCP, Jedis) and locks stay blocking, so beside a
         * connection pool it can deadlock: prefer patch-all. Irreversible for the life of the JVM.
         */
        private boolean patchSocket = false;

        /**
         * Whether to make host name lookups in greenlets cooperative, JVM-wide, before any bean is
         * created.
         */
        private boolean patchDns = false;

        /**
         * Whether the request factories that RestClient.Builder and RestTemplateBuilder use wait
         * cooperatively in greenlets (the JDK HttpClient that Boot picks by default is out of the
         * socket patch's reach).
         */
        private boolean patchHttpClients = false;

        public boolean isPatchAll() {
            return this.patchAll;
        }

        public void setPatchAll(boolean patchAll) {
            this.patchAll = patchAll;
        }

        public boolean isPatchSocket() {
            return this.patchSocket;
        }

        public void setPatchSocket(boolean patchSocket) {
            this.patchSocket = patchSocket;
        }

        public boolean isPatchDns() {
            return this.patchDns;
        }

        public void setPatchDns(boolean patchDns) {
            this.patchDns = patchDns;
        }

        public boolean isPatchHttpClients() {
            return this.patchHttpClients;
        }

        public void setPatchHttpClients(boolean patchHttpClients) {
            this.patchHttpClients = patchHttpClients;
        }
    }

    public static class Web {

        /**
         * Whether the embedded servlet server (Tomcat or Jetty) serves each HTTP request as a
         * greenlet on the hubs, as gunicorn's gevent worker does, so that blocking request code
         * waits cooperatively and one process holds thousands of slow requests. Needs
         * greenlet.monkey.patch-all=true (the carrier engine), else start-up fails.
         */
        private boolean enabled = false;

        /**
         * Path patterns (Spring's PathPattern syntax, matched against the path within the
         * application) of requests served on plain virtual threads instead of hubs, so that they
         * answer while a hub is held by a CPU-bound request. Default: the Actuator base path and
         * everything under it (management.endpoints.web.base-path, /actuator/** unless changed),
         * /livez and /readyz. Setting it replaces the default.
         */
        private java.util.List<String> excludedPaths;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** The patterns set, or null for the default (see the field). */
        public java.util.List<String> getExcludedPaths() {
            return this.excludedPaths;
        }

        public void setExcludedPaths(java.util.List<String> excludedPaths) {
            if (excludedPaths != null) {
                for (String pattern : excludedPaths) {
                    if (pattern == null || !pattern.startsWith("/")) {
                        throw new IllegalArgumentException(WEB_EXCLUDED_PATHS + " takes path patterns that start with"
                                + " '/', such as /actuator/**, got '" + pattern + "'");
                    }
                }
            }
            this.excludedPaths = excludedPaths;
        }
    }
}
