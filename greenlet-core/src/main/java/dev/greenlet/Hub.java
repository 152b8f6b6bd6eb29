package dev.greenlet;

import dev.greenlet.internal.FailureLog;
import dev.greenlet.engine.Carriers;
import dev.greenlet.internal.Callables;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A hub runs its greenlets cooperatively: one at a time, switching only where a greenlet
 * waits. It is gevent's {@code Hub}, without an event-loop thread of its own.
 *
 * <p><b>Semantics.</b> Every greenlet runs on its own virtual thread, but only one greenlet
 * of a hub runs user code at a time. A greenlet gives its turn up only at a <em>cooperative
 * point</em>: {@link Gevent#sleep}, {@link Gevent#idle}, {@code join}/{@code get},
 * {@link Gevent#joinall}, {@link Gevent#wait}/{@link Gevent#iwait}, waits on the library's
 * primitives, {@code offload}, {@code select} and patched I/O; on the
 * {@linkplain Engine#CARRIER carrier engine} also every call that parks a virtual thread. On
 * the {@linkplain Engine#PERMIT permit engine} anything else ({@code Thread.sleep}, a plain
 * socket read, a lock) keeps the turn and stalls the hub, exactly as in gevent without
 * {@code patch_all()}; on either engine a CPU loop does.
 *
 * <p>Order is deterministic, as in gevent: {@code spawn} appends the new greenlet to the
 * FIFO ready queue and it first runs when its spawner reaches a cooperative point;
 * {@code sleep(0)} puts the caller behind everything already ready; a greenlet whose wait
 * ends appends itself; timers fire in deadline order.
 *
 * <p><b>Differences from gevent.</b> Threads that are not greenlets (main, a servlet worker,
 * a Spring executor thread) may use a hub: spawn, join, kill, set events. They never have a
 * turn, and where they wait they block as an ordinary thread does. So a greenlet spawned
 * from {@code main} starts at once, concurrently with {@code main}, whereas in gevent
 * {@code main} is itself the hub's main greenlet. To get gevent's exact semantics from a
 * plain thread, enter the hub with {@link #run(Callable)}. Several hubs may exist; a greenlet
 * belongs to the hub it was spawned on, and greenlets spawned from inside a greenlet go to the
 * spawner's hub.
 *
 * <h2>Engines</h2>
 * A hub runs on one of two {@linkplain Engine engines}, chosen when it is created. The
 * {@linkplain Engine#PERMIT permit engine} (the default) is gevent without {@code patch_all()}:
 * only the library's own waits (and, once {@code Monkey.patchSocket()} ran, socket I/O) are
 * cooperative. The {@linkplain Engine#CARRIER carrier engine}, which {@code Monkey.patchAll()}
 * selects for every hub created afterwards, is gevent after {@code patch_all()}: every call
 * that parks a virtual thread (sockets, {@code Thread.sleep}, {@code synchronized},
 * {@code java.util.concurrent} locks, futures, connection pools) is a cooperative point.
 * Everything else, order, kill, timeouts, the API, is the same in both.
 *
 * <p>Implementation overview. The hub owns its greenlets' bookkeeping: the live list and the
 * counters, guarded by the hub's monitor (do not synchronize on a hub), the error handler and
 * closing (a {@code dev.greenlet.diagnostics.HubMonitor} watches a hub from outside, and ends
 * when it closes). Whose turn it is belongs to its {@link HubEngine}, one per engine.
 * {@link #await} is the one cooperative wait every blocking call of the library goes through,
 * in both engines.
 */
public class Hub implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Hub.class.getName());
    /** The default error handler's log: every hub's, so that a storm across hubs is bounded too. */
    private static final FailureLog FAILURES = new FailureLog(3, Duration.ofSeconds(10), FailureLog.systemLogger(Hub.class.getName()));
    private static final AtomicReference<Hub> DEFAULT = new AtomicReference<>();   // the lazily created default hub
    private static final AtomicReference<Hub> INSTALLED = new AtomicReference<>(); // installDefault's, which wins while open

    /**
     * How a hub makes its greenlets take turns. Both engines keep every guarantee of this
     * class; they differ in what is a cooperative point.
     */
    public enum Engine {
        /**
         * gevent's unpatched semantics, on any JDK 21+: greenlets take turns with a run permit;
         * only the library's waits (and patched sockets) give it up. A {@code Thread.sleep}, a
         * lock or an unpatched socket read keeps it and stalls the hub, and a lock held across
         * a cooperative point can deadlock the hub (its monitor reports that).
         */
        PERMIT,
        /**
         * gevent's {@code patch_all()} semantics: the hub is a virtual-thread scheduler with a
         * single carrier thread of its own, so every call that parks a virtual thread is a
         * cooperative point. Needs JDK 24+ and {@code --add-opens java.base/java.lang=ALL-UNNAMED}.
         */
        CARRIER;

        /** Why this JVM cannot run this engine (with the fix), or null if it can. */
        public String unavailableReason() {
            return this == CARRIER ? Carriers.unavailableReason() : null;
        }

        /** Whether this JVM can run this engine. */
        public boolean isAvailable() {
            return unavailableReason() == null;
        }

        /** The engine hubs created from now on run on: {@link #PERMIT} unless {@link #selectForNewHubs} chose another. */
        public static Engine forNewHubs() {
            return Selection.forNewHubs;
        }

        /**
         * Makes hubs created from now on run on {@code engine} (existing hubs keep theirs). What
         * {@code Monkey.patchAll()} calls with {@link #CARRIER}; call that rather than this.
         *
         * @throws IllegalStateException if this JVM cannot run {@code engine}, naming the fix
         */
        public static void selectForNewHubs(Engine engine) {
            String why = Objects.requireNonNull(engine, "engine").unavailableReason();
            if (why != null) {
                throw new IllegalStateException("the " + engine.name().toLowerCase(java.util.Locale.ROOT) + " engine: " + why);
            }
            Selection.forNewHubs = engine;
        }
    }

    /** Holds the engine for new hubs, kept out of the enum, whose own statics are set up after its constants. */
    private static final class Selection {
        static volatile Engine forNewHubs = Engine.PERMIT;
    }

    private final String name;
    private final Engine kind;          // which engine: fixed at construction
    final HubEngine engine;             // whose turn it is: the one implementation of the seam (docs/ARCHITECTURE.md, section 4)
    final TimerQueue clock;             // its clock and timers: TimerQueue.INSTANCE, or a VirtualClock (docs/ARCHITECTURE.md, section 9)
    final ClassLoader contextClassLoader;  // the creating thread's: every greenlet's thread gets it
    private Greenlet<?> liveHead;          // guarded by this: intrusive list of started, unfinished greenlets
    private volatile int liveCount;        // written under this; read without it (the carrier must never wait for this monitor)
    private long spawned;                  // guarded by this
    private long finished;                 // guarded by this: greenlets that ended, however
    private long failed;                   // guarded by this: ... with an exception other than GreenletExit
    private long killed;                   // guarded by this: ... with a GreenletExit
    private volatile boolean closed;
    private volatile ErrorHandler errorHandler = ErrorHandler.LOGGING;

    /**
     * Creates a hub on the engine {@code Monkey.patchAll()} selected ({@link Engine#CARRIER}
     * once it ran, else {@link Engine#PERMIT}). An idle hub holds no thread and needs no
     * closing to be collected, but close it to kill what still runs on it.
     *
     * @param name a name for logs and run-info dumps
     */
    public Hub(String name) {
        this(name, Engine.forNewHubs());
    }

    /**
     * Creates a hub on the given engine, whatever {@code Monkey.patchAll()} selected for new
     * hubs.
     *
     * @throws IllegalStateException for {@link Engine#CARRIER} when this JVM cannot run it
     *         (older than JDK 24, or without {@code --add-opens java.base/java.lang=ALL-UNNAMED});
     *         the message names the fix
     */
    public Hub(String name, Engine engine) {
        this(name, engine, null);
    }

    /**
     * Creates a hub on the given engine whose timers run on {@code virtualTime} (null: on
     * {@link System#nanoTime}, as every other hub): for a test hub, such as
     * {@code dev.greenlet.test.TestHub}, the only reason to subclass this class. gevent has no
     * such hook; its tests sleep in real time.
     *
     * @throws IllegalArgumentException if {@code virtualTime} already runs another hub
     * @throws IllegalStateException as {@link #Hub(String, Engine)}
     */
    protected Hub(String name, Engine engine, VirtualTime virtualTime) {
        this.name = Objects.requireNonNull(name, "name");
        this.contextClassLoader = Thread.currentThread().getContextClassLoader();
        this.kind = Objects.requireNonNull(engine, "engine");
        this.engine = switch (engine) {
            case PERMIT -> new PermitEngine(name, this::liveCount);
            case CARRIER -> new CarrierEngine(name, this::liveCount);
        };
        this.clock = virtualTime == null ? TimerQueue.INSTANCE : virtualTime.attach(this, this.engine);
        TurnObserver.register(this);
    }

    /**
     * Attaches {@code listener} to this hub: it sees every turn from now on (see
     * {@link TurnListener} for how and on which thread it is called). Closing the handle
     * detaches it. gevent has no per-hub hook ({@code greenlet.settrace} is one global callback).
     */
    public AutoCloseable observeTurns(TurnListener listener) {
        return TurnObserver.attach(this, listener);
    }

    /**
     * Attaches a listener to every hub, those that exist now and those created later, calling
     * {@code perHub} once per hub for that hub's own listener (so that it needs no lock: a
     * hub's turns come one at a time). Closing the handle detaches them all.
     */
    public static AutoCloseable observeAllTurns(java.util.function.Function<? super Hub, ? extends TurnListener> perHub) {
        return TurnObserver.attachAll(perHub);
    }

    /** Every hub created in this JVM and not yet garbage collected (for diagnostics that look at all hubs). */
    public static List<Hub> allHubs() {
        return TurnObserver.hubs();
    }

    /** The engine this hub runs on. */
    public Engine engine() {
        return kind;
    }

    /**
     * Whether a JDK wait of this hub's greenlets (a socket read, {@code Thread.sleep}, a lock of
     * {@code java.util.concurrent}) is a cooperative point that passes the turn: true on the
     * carrier engine, false on the permit engine, where such a wait keeps the turn and stalls
     * the hub. gevent gets this from {@code patch_all()}; here it is a property of the hub's
     * engine. Ask this rather than comparing {@link #engine()} with a constant.
     */
    public boolean parksCooperatively() {
        return engine.parksCooperatively();
    }

    /**
     * The default hub. Plain threads that call {@link Gevent#spawn} spawn on it. It is the hub
     * {@link #installDefault} installed, while that hub is open; otherwise one created on first
     * use, and if that has been closed, the next call creates a fresh one, as gevent's
     * {@code get_hub()} does after {@code hub.destroy()}.
     */
    public static Hub getDefault() {
        Hub installed = INSTALLED.get();
        if (installed != null && !installed.closed) {
            return installed;
        }
        while (true) {
            Hub hub = DEFAULT.get();
            if (hub != null && !hub.closed && (hub.engine() == Engine.forNewHubs() || hub.liveCount() > 0)) {
                return hub;
            }
            Hub fresh = new Hub("default");
            if (DEFAULT.compareAndSet(hub, fresh)) {
                return fresh;
            }
        }
    }

    /**
     * Makes {@code hub} the {@linkplain #getDefault() default hub} until
     * {@link #uninstallDefault} (or until it is closed), so that {@link Gevent#spawn} from a plain
     * thread lands on it rather than on a hub nobody monitors or shuts down: a framework that
     * owns the application's hubs installs its first one while it runs (the Spring starter does).
     *
     * @return the hub installed before, to hand back to {@link #uninstallDefault}; null if none was
     */
    public static Hub installDefault(Hub hub) {
        return INSTALLED.getAndSet(Objects.requireNonNull(hub, "hub"));
    }

    /**
     * Undoes {@link #installDefault}: if {@code hub} is still the installed default hub,
     * {@code previous} (what {@code installDefault} returned; null for none) takes its place;
     * if another hub was installed since, that one stays.
     */
    public static void uninstallDefault(Hub hub, Hub previous) {
        INSTALLED.compareAndSet(hub, previous);
    }

    /** The hub of the calling greenlet, or the default hub on a plain thread. */
    public static Hub current() {
        Greenlet<?> g = Greenlet.current();
        return g != null ? g.hub : getDefault();
    }

    /** This hub's name. */
    public String name() {
        return name;
    }

    // ---------------------------------------------------------------- spawning

    /**
     * Creates a greenlet that runs {@code fn} on this hub and starts it: it first runs when the
     * caller reaches a cooperative point (at once, concurrently, when the caller is a plain
     * thread and no greenlet of this hub is running).
     *
     * @throws IllegalStateException if this hub is closed
     */
    public <T> Greenlet<T> spawn(Callable<? extends T> fn) {
        Greenlet<T> g = new Greenlet<>(this, null, fn);
        g.start();
        return g;
    }

    /** {@link #spawn(Callable)} for code that returns nothing; the greenlet's value is null. */
    public Greenlet<Void> spawn(Runnable fn) {
        Greenlet<Void> g = Greenlet.ofRunnable(this, null, fn);
        g.start();
        return g;
    }

    /**
     * Creates a greenlet that runs {@code fn} on this hub once {@code delay} has passed
     * (gevent's {@code spawn_later}). Until then it is scheduled but not started; killing it
     * then means it never runs.
     *
     * @throws IllegalArgumentException if {@code delay} is negative
     * @throws IllegalStateException if this hub is closed
     */
    public <T> Greenlet<T> spawnLater(Duration delay, Callable<? extends T> fn) {
        Greenlet<T> g = new Greenlet<>(this, null, fn);
        g.startLater(delay);
        return g;
    }

    /** {@link #spawnLater(Duration, Callable)} for code that returns nothing. */
    public Greenlet<Void> spawnLater(Duration delay, Runnable fn) {
        Greenlet<Void> g = Greenlet.ofRunnable(this, null, fn);
        g.startLater(delay);
        return g;
    }

    /**
     * Runs {@code fn} as a greenlet of this hub and waits for it: the way into the hub from a
     * plain thread, like {@code asyncio.run} or Kotlin's {@code runBlocking}. Greenlets that
     * {@code fn} spawns follow gevent's scheduling exactly. Called from a greenlet of this
     * hub, it simply calls {@code fn}.
     *
     * <p>Returns {@code fn}'s value, or rethrows its exception: unchecked ones as they are,
     * checked ones wrapped in a {@link java.util.concurrent.CompletionException}. If the
     * waiting plain thread is interrupted, the greenlet is killed and a
     * {@link java.util.concurrent.CancellationException} is thrown.
     */
    public <T> T run(Callable<? extends T> fn) {
        Greenlet<?> current = Greenlet.cooperative();
        if (current != null && current.hub == this) {
            return Callables.call(fn);
        }
        Greenlet<T> g = spawn(fn);
        try {
            g.join();
        } catch (RuntimeException | Error e) {
            g.kill(false, null);
            throw e;
        }
        return g.get();
    }

    /** {@link #run(Callable)} for code that returns nothing. */
    public void run(Runnable fn) {
        run(Callables.of(fn));
    }

    // ---------------------------------------------------------------- introspection

    /** Whether {@link #close()} or {@link #shutdown} was called. A closed hub accepts no spawns. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * The number of started greenlets of this hub that have not finished. Read without the
     * hub's monitor: the carrier engine's carrier thread reads it between turns, and a carrier
     * that waited for a monitor which one of its own greenlets contends would deadlock the hub
     * (measured: a greenlet blocked entering the monitor in {@code retire} holds the monitor's
     * succession while it waits for the very carrier that waits for the monitor).
     */
    public int liveCount() {
        return liveCount;
    }

    /** The started greenlets of this hub that have not finished, oldest first. */
    public List<Greenlet<?>> greenlets() {
        synchronized (this) {
            List<Greenlet<?>> all = new ArrayList<>(liveCount);
            for (Greenlet<?> g = liveHead; g != null; g = g.liveNext) {
                all.add(g);
            }
            return all.reversed();
        }
    }

    /** How many times the turn has passed from one greenlet to another (or, on the permit engine, to an idle hub). */
    public long switchCount() {
        return engine.switchCount();
    }

    /**
     * Turns on (or off) measuring how long greenlets wait ready for their turn, for
     * {@link #turnWaitNanos()}: two {@code System.nanoTime()} calls per switch. Off by default;
     * the Spring starter turns it on when Micrometer is present. Both engines measure it: from
     * the moment a greenlet is made ready to the moment its turn begins.
     */
    public void setTurnWaitTiming(boolean on) {
        engine.setReadyWaitTiming(on);
    }

    /** The total time, in nanoseconds, greenlets waited ready for their turn while timing was on. */
    public long turnWaitNanos() {
        return engine.readyWaitNanos();
    }

    /** How many turns were timed for {@link #turnWaitNanos()}. */
    public long timedTurns() {
        return engine.readyWaitCount();
    }

    /** How many greenlets of this hub have ended, however they ended. */
    public long finishedCount() {
        synchronized (this) {
            return finished;
        }
    }

    /** How many greenlets of this hub ended with an exception other than {@link GreenletExit}. */
    public long failedCount() {
        synchronized (this) {
            return failed;
        }
    }

    /** How many greenlets of this hub ended with a {@link GreenletExit}: killed. */
    public long killedCount() {
        synchronized (this) {
            return killed;
        }
    }

    /** How many greenlets were ever started on this hub. */
    public long spawnedCount() {
        synchronized (this) {
            return spawned;
        }
    }

    /** The greenlet whose turn it is right now, or null. */
    public Greenlet<?> runningGreenlet() {
        return engine.running();
    }

    /**
     * What a live greenlet is doing, as the hub sees it. A greenlet that has ended (gevent's
     * "dead") is not live and has none.
     */
    public enum GreenletState {
        /** It has the hub's turn: its code runs now. */
        RUNNING,
        /** It is queued for its turn (ready to run, or not yet had its first turn). */
        READY,
        /** It waits in {@link Gevent#sleep} or {@link Gevent#idle}. */
        SLEEPING,
        /** It waits for something: a greenlet, an event, a lock, a queue, a pool, a socket. */
        WAITING,
        /** It runs a blocking call in {@link Gevent#offload}, without the turn. */
        OFFLOADED
    }

    /**
     * One live greenlet of a hub, as raw facts: its {@linkplain GreenletState state}; for
     * {@code WAITING}, the object it waits on ({@code blocker}: the library's primitive, or a
     * JDK wait's park blocker on the carrier engine, possibly null), and whether that wait is one
     * the library does not see ({@code foreignWait}); for {@code SLEEPING}, when it wakes
     * ({@code wakeAtNanos}, a {@link System#nanoTime()} value; 0 for {@link Gevent#idle}); and
     * its thread (null before its first turn), for its stack. {@code dev.greenlet.diagnostics}
     * turns these into run-info in words (gevent's {@code gevent.util.format_run_info}).
     */
    public record Activity(Greenlet<?> greenlet, GreenletState state, Object blocker, boolean foreignWait,
            long wakeAtNanos, Thread thread) {
    }

    /**
     * What each live greenlet is doing now. Not a consistent cut: greenlets keep running while it
     * is taken. Cheap enough for an endpoint or a stall report, not for a hot path.
     */
    public List<Activity> activities() {
        List<Activity> out = new ArrayList<>();
        Greenlet<?> running = engine.running();
        for (Greenlet<?> g : greenlets()) {
            Waiter w = g.waiter;
            Thread t = g.thread();
            if (g == running) {
                out.add(new Activity(g, GreenletState.RUNNING, null, false, 0, t));
            } else if (g.isOffloaded()) {
                out.add(new Activity(g, GreenletState.OFFLOADED, null, false, 0, t));
            } else if (w != null && w.isWaiting()) {
                boolean sleeping = w.blocker == this;
                out.add(new Activity(g, sleeping ? GreenletState.SLEEPING : GreenletState.WAITING,
                        sleeping ? null : w.blocker, false, sleeping ? onSystemClock(w.deadline) : 0, t));
            } else if (engine.inForeignWait(g)) {
                out.add(new Activity(g, GreenletState.WAITING, t == null ? null : LockSupport.getBlocker(t), true, 0, t));
            } else {
                out.add(new Activity(g, GreenletState.READY, null, false, 0, t));
            }
        }
        return out;
    }

    /** A deadline of this hub's clock as a {@link System#nanoTime} value with the same time left (run-info). */
    private long onSystemClock(long deadline) {
        return clock == TimerQueue.INSTANCE ? deadline : System.nanoTime() + (deadline - clock.now());
    }

    // ---------------------------------------------------------------- errors

    /** Receives every greenlet failure of a hub (gevent's {@code Hub.handle_error}). */
    @FunctionalInterface
    public interface ErrorHandler {
        /**
         * Called once for each greenlet that ends with an exception other than
         * {@link GreenletExit}, after its result is stored and before anything waiting on it
         * wakes or any link runs: on the greenlet's own thread, or on the killer's for a
         * greenlet killed before it started. It must not throw; if it does, the failure is
         * logged.
         */
        void handleError(Greenlet<?> greenlet, Throwable error);

        /**
         * The default: logs "&lt;greenlet&gt; failed with &lt;exception&gt;" and the stack at ERROR,
         * bounded: of each kind and place of failure, the first 3 in 10 s in full, the rest in one
         * line that counts them at the end of those 10 s ({@link FailureLog}). gevent prints every
         * traceback; a storm of 10,000 failing greenlets here logs a few stacks and a count.
         */
        ErrorHandler LOGGING = (greenlet, error) -> FAILURES.failed(greenlet + " failed with " + error, error);
    }

    /** Replaces the error handler (for example to count failures or to fail a test on one). */
    public void setErrorHandler(ErrorHandler handler) {
        this.errorHandler = Objects.requireNonNull(handler, "handler");
    }

    /**
     * This hub's error handler: {@link ErrorHandler#LOGGING} unless replaced (the Spring starter
     * replaces that default, and only that, with one that logs through the application's logging).
     */
    public ErrorHandler errorHandler() {
        return errorHandler;
    }

    void reportError(Greenlet<?> g, Throwable error) {
        try {
            errorHandler.handleError(g, error);
        } catch (Throwable handlerFailure) {
            handlerFailure.addSuppressed(error);
            LOG.log(System.Logger.Level.ERROR, "error handler of hub '" + name + "' failed on " + g, handlerFailure);
        }
    }

    // ---------------------------------------------------------------- closing

    /**
     * How long {@link #shutdown(Duration)} and {@link #close()} wait for the greenlets they
     * killed to die before they return anyway: {@value #DEFAULT_KILL_GRACE_MS} ms.
     */
    public static final long DEFAULT_KILL_GRACE_MS = 2000;

    /**
     * Closes this hub now: no new greenlets, and every live greenlet is killed (with
     * {@link GreenletExit}); waits up to {@value #DEFAULT_KILL_GRACE_MS} ms for them to die.
     * Logs what it killed.
     */
    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }

    /**
     * Closes this hub gracefully: it accepts no new greenlets at once, waits up to
     * {@code grace} for the live ones to finish, then kills those still running
     * ({@link Greenlet#killUrgently()}: the kills go ahead of every greenlet that is merely
     * ready), waits up to {@value #DEFAULT_KILL_GRACE_MS} ms for them to die, and logs the
     * greenlets it killed in one line (the first 20), and at ERROR those it abandoned. Called
     * from a greenlet of this hub, it waits cooperatively and spares the caller.
     *
     * @return the greenlets it had to kill; those not dead were abandoned (see
     *         {@link #shutdownQuietly(Duration, Duration)})
     */
    public List<Greenlet<?>> shutdown(Duration grace) {
        List<Greenlet<?>> killed = shutdownQuietly(grace);
        if (!killed.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, () -> "hub '" + name + "' closed; killed " + killed.size()
                    + " greenlet(s) still running " + grace.toMillis() + " ms after shutdown began: "
                    + describeKilled(killed));
            List<Greenlet<?>> abandoned = abandoned(killed);
            if (!abandoned.isEmpty()) {
                LOG.log(System.Logger.Level.ERROR, () -> "hub '" + name + "': " + abandoned.size()
                        + " killed greenlet(s) still running " + DEFAULT_KILL_GRACE_MS + " ms after the kill, abandoned"
                        + " (a CPU loop or a blocking call that holds the hub, or code that ignores GreenletExit): "
                        + describeKilled(abandoned));
            }
        }
        return killed;
    }

    /** The greenlets of {@code killed} that are not dead: those a shutdown abandoned. */
    public static List<Greenlet<?>> abandoned(List<Greenlet<?>> killed) {
        List<Greenlet<?>> alive = new ArrayList<>();
        for (Greenlet<?> g : killed) {
            if (!g.isDead()) {
                alive.add(g);
            }
        }
        return alive;
    }

    /**
     * {@link #shutdown(Duration)} without its log lines, for a caller that reports what was
     * killed through its own logging, once (the Spring starter does, naming the setting that
     * bounds the grace). Waits up to {@value #DEFAULT_KILL_GRACE_MS} ms for the killed ones.
     *
     * @return the greenlets it had to kill; those not dead were abandoned
     */
    public List<Greenlet<?>> shutdownQuietly(Duration grace) {
        return shutdownQuietly(grace, Duration.ofMillis(DEFAULT_KILL_GRACE_MS));
    }

    /**
     * {@link #shutdownQuietly(Duration)} with the wait after the kills bounded by
     * {@code killGrace}: called from a thread that is no greenlet of this hub (as a server's
     * shutdown is), it returns within about {@code grace + killGrace} whatever the greenlets do.
     * (Called from one of its greenlets, it waits cooperatively, and so only while the others
     * let it run.) A greenlet that holds the hub (a CPU loop; on the permit engine any call
     * that blocks without a cooperative point, or a deadlock) cannot be preempted, and one that
     * swallows its {@link GreenletExit} does not end: they are abandoned, still alive, and
     * returned with the others ({@link #abandoned} picks them out) for the caller to name.
     * The hub is closed either way. gevent's {@code Hub.destroy} kills nothing; this is the
     * bounded shutdown a server needs.
     *
     * @throws IllegalArgumentException if {@code grace} or {@code killGrace} is negative
     */
    public List<Greenlet<?>> shutdownQuietly(Duration grace, Duration killGrace) {
        Deadline deadline = Deadline.of(Objects.requireNonNull(grace, "shutdown grace"));
        Duration afterKill = Duration.ofNanos(Greenlet.checkDuration(Objects.requireNonNull(killGrace, "kill grace"), "kill grace"));
        closed = true;
        engine.close();
        DEFAULT.compareAndSet(this, null);
        Greenlet<?> self = Greenlet.current();
        for (Greenlet<?> g : greenlets()) {
            if (g != self && !deadline.isPast()) {
                g.join(deadline.remaining());
            }
        }
        List<Greenlet<?>> killed = new ArrayList<>();
        for (Greenlet<?> g : greenlets()) {
            if (g != self && !g.isDead()) {
                killed.add(g);
            }
        }
        for (Greenlet<?> g : killed) {
            g.killUrgently(); // ahead of ordinary ready greenlets: the deadline is kept under load
        }
        Gevent.joinall(killed, afterKill, false); // the ones still alive are abandoned: for the caller to report
        return killed;
    }

    /** The first 20 of {@code killed}, and how many more: for a log line that stays one line. */
    static String describeKilled(List<Greenlet<?>> killed) {
        return killed.size() <= 20 ? killed.toString() : killed.subList(0, 20) + " and " + (killed.size() - 20) + " more";
    }

    /**
     * Accepts spawns again after {@link #close()} or {@link #shutdown}: for a lifecycle that
     * stops and starts again (a Spring context that is stopped and restarted, or paused and
     * resumed by the test framework's context cache). What the shutdown killed stays dead; the
     * monitor, if one ran, is not restarted. Does nothing on an open hub.
     */
    public void reopen() {
        if (closed) {
            engine.reopen();
            closed = false;
        }
    }

    @Override
    public String toString() {
        return "Hub[" + name + ", " + engine().name().toLowerCase(java.util.Locale.ROOT) + " engine" + (closed ? ", closed" : "") + "]";
    }

    // ---------------------------------------------------------------- greenlets' bookkeeping

    /** Adds a started greenlet to the live list and makes it ready, unless it waits for a timer. */
    void admit(Greenlet<?> g, Admission admission) {
        synchronized (this) {
            if (closed && admission != Admission.EVEN_IF_CLOSED) {
                throw new IllegalStateException("hub '" + name + "' is closed: cannot start " + g
                        + "; spawn on a hub that is open (Hub.getDefault() makes a fresh default hub)");
            }
            if (g.isFinished()) {
                return; // killed between its start() and here: it never runs, and was retired already
            }
            g.liveNext = liveHead;
            if (liveHead != null) {
                liveHead.livePrev = g;
            }
            liveHead = g;
            g.live = true;
            liveCount++;
            spawned++;
        }
        if (HubEngine.TURN_HOOKS) {
            TurnObserver o = engine.observer;
            if (o != null) {
                o.spawned(g);
            }
        }
        if (admission != Admission.LATER) {
            engine.makeReady(g);
        }
    }

    /** How {@link #admit} takes a greenlet. */
    enum Admission {
        /** Ready now; refused by a closed hub. */
        NOW,
        /** Ready when its {@code startLater} timer fires; refused by a closed hub. */
        LATER,
        /** Ready now, even on a closed hub: the hub's own greenlets (links of a killed one). */
        EVEN_IF_CLOSED
    }

    /** {@code sleep(0)} of the running greenlet {@code me}: behind every ready greenlet; a point where a kill lands. */
    void yieldNow(Greenlet<?> me) {
        me.landPending();
        engine.passTurn(me);
        me.landPending();
    }

    /** The running greenlet {@code me} goes behind every ready greenlet; no kill lands ({@link Waiter#yieldToWoken()}). */
    void passTurn(Greenlet<?> me) {
        engine.passTurn(me);
    }

    /** gevent's {@code idle()} for the running greenlet {@code me}. */
    void idle(Greenlet<?> me) {
        Waiter w = Waiter.forCurrent(this);
        if (engine.waitForIdle(w)) {
            await(me, w, 0);
        } else {
            me.landPending(); // the hub is idle now
        }
    }

    /** {@link Gevent#offload} for the running greenlet {@code me}. */
    <T, E extends Throwable> T offload(Greenlet<?> me, Gevent.Blocking<? extends T, E> call) throws E {
        OffloadOutcome<T> outcome = new OffloadOutcome<>(call);
        engine.offload(me, outcome); // lands a pending kill before the call's own outcome
        return outcome.get();
    }

    /** An offloaded call and what it returned or threw: engines run it without knowing the call's types. */
    private static final class OffloadOutcome<T> implements Runnable {
        private final Gevent.Blocking<? extends T, ?> call;
        private T result;          // written by the thread that runs the call, read after the engine's offload
        private Throwable failure; //   returns (which waits for the call: a happens-before edge)

        OffloadOutcome(Gevent.Blocking<? extends T, ?> call) {
            this.call = call;
        }

        @Override
        public void run() {
            try {
                result = call.call();
            } catch (Throwable t) {
                failure = t;
            }
        }

        <E extends Throwable> T get() throws E {
            if (failure != null) {
                throw dev.greenlet.internal.Exceptions.sneakyThrow(failure);
            }
            return result;
        }
    }

    /** Makes {@code g} ready: the end of its wait, or the first turn of one started later. */
    void schedule(Greenlet<?> g) {
        engine.makeReady(g);
    }

    /**
     * Takes a greenlet that just became dead off the live list and counts how it ended, before
     * anything waiting on it wakes, so that {@link #liveCount()} agrees with
     * {@link Greenlet#isDead()}. Idempotent; a greenlet never admitted was never on the list.
     */
    void retire(Greenlet<?> g) {
        synchronized (this) {
            if (!g.live) {
                return;
            }
            g.live = false;
            Greenlet<?> prev = g.livePrev;
            Greenlet<?> after = g.liveNext;
            if (prev != null) {
                prev.liveNext = after;
            } else {
                liveHead = after;
            }
            if (after != null) {
                after.livePrev = prev;
            }
            g.livePrev = g.liveNext = null;
            liveCount--;
            finished++;
            if (g.isKilled()) {
                killed++;
            } else if (g.exception() != null) {
                failed++;
            }
        }
    }

    // ---------------------------------------------------------------- the cooperative wait

    /**
     * The cooperative wait under every blocking call: the running greenlet {@code me} gives up
     * its turn until {@code w} is resolved (signalled, timed out at {@code deadline} unless that
     * is 0, or interrupted by a kill or {@link Timeout}), then lands any pending kill or
     * timeout, unless {@code w} was signalled: a wait that was satisfied returns normally and
     * the kill lands at the next cooperative point, so that an operation (a queue get, a
     * semaphore acquire) either completes or has no effect. Each call consumes exactly the one
     * {@link HubEngine#makeReady} that resolving {@code w} produces.
     */
    int await(Greenlet<?> me, Waiter w, long deadline) {
        me.waiter = w;
        // Pairs with KillDelivery.raise(): it writes the pending throw, then reads waiter; we
        // write waiter, then read the pending throw. One of the two sees the other.
        if (me.hasPendingThrow() && w.resolveQuietly(Waiter.INTERRUPTED)) {
            me.waiter = null;
            me.landPending();
            return Waiter.INTERRUPTED;
        }
        if (deadline != 0) {
            clock.add(w, deadline);
        }
        engine.suspend(me, w);
        me.waiter = null;
        int state = w.state();
        if (deadline != 0 && state != Waiter.TIMED_OUT) {
            clock.cancel(w);
        }
        if (state != Waiter.SIGNALLED) {
            me.landPending();
        }
        return state;
    }
}
