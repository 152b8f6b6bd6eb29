package dev.greenlet;

import dev.greenlet.internal.Exceptions;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A greenlet: a lightweight task that its {@link Hub} runs cooperatively with the hub's other
 * greenlets, and the handle to that task (gevent's {@code Greenlet}).
 *
 * <p>Create one with {@link Gevent#spawn} (or {@link Hub#spawn}), or construct it and call
 * {@link #start()}. Then {@link #join()} it, {@link #get()} its value, {@link #kill()} it, or
 * {@link #link} a callback to its end.
 *
 * <h2>States</h2>
 * <pre>
 *   new ──start()──▶ scheduled ──its first turn──▶ running ──returns or throws──▶ dead
 *    │                   │                                                    ▲
 *    └──────kill()───────┴──────────────(never runs; links still fire)────────┘
 * </pre>
 * <table class="striped">
 * <caption>What the query methods say in each state</caption>
 * <tr><th>state</th><th>{@link #isStarted}</th><th>{@link #isDead} (and {@link #isDone}, its {@link Waitable} name)</th><th>{@link #isSuccessful}</th></tr>
 * <tr><td>new</td><td>false</td><td>false</td><td>false</td></tr>
 * <tr><td>scheduled, running</td><td>true</td><td>false</td><td>false</td></tr>
 * <tr><td>dead, returned a value</td><td>true</td><td>true</td><td>true</td></tr>
 * <tr><td>dead, killed by {@link GreenletExit}</td><td>true</td><td>true</td><td>true (as in gevent)</td></tr>
 * <tr><td>dead, threw</td><td>true</td><td>true</td><td>false</td></tr>
 * </table>
 *
 * <h2>Kill and timeout</h2>
 * Every waiting method of this class ({@code join}, {@code get}, a blocking {@code kill}) is a
 * cooperative point: when the <em>calling</em> greenlet is killed or its {@link Timeout}
 * expires while it waits there, the wait ends at once with that {@link GreenletExit} or
 * {@code Timeout}; a wait that was already satisfied returns normally and the kill lands at
 * the next cooperative point. On a plain thread they block, and an interrupt ends them with a
 * {@link CancellationException}.
 *
 * <h2>Differences from gevent</h2>
 * <ul>
 * <li>{@link #get()} of a greenlet killed by {@code GreenletExit} throws a
 * {@link CancellationException} (with the {@code GreenletExit} as cause), as
 * {@code Future.get()} does for a cancelled task; gevent returns the {@code GreenletExit}
 * instance as the value, which a typed Java method cannot.</li>
 * <li>Checked exceptions are rethrown by {@code get()} wrapped in a
 * {@link CompletionException} (the original is its cause); unchecked ones as they are.</li>
 * <li>{@link #link} callbacks run in the dying greenlet itself, right after it finishes and
 * before its hub switches to anything else, in its turn; gevent runs them in the
 * hub on its next loop iteration.</li>
 * </ul>
 *
 * @param <T> the type of the value the greenlet returns
 */
public final class Greenlet<T> implements Waitable {

    /*
     * Implementation overview.
     *
     * A greenlet is the handle: its state, its result, its links (Links) and the pending kill.
     * Whose turn it is belongs to the hub's HubEngine; the one cooperative wait
     * is Hub.await over a Waiter. Internal states:
     *
     *   state      set by                          in the run queue?            public view
     *   NEW        constructor                     no                           not started
     *   SCHEDULED  start()/startLater() (CAS)      yes (startLater: on its      started, not dead
     *                                              timer's firing)
     *   RUNNING    its own thread, first turn      while ready                  started, not dead
     *   FINISHING  its end, or kill() before it    no                           value()/exception() readable,
     *              started (CAS from NEW/SCHED.)                                not dead: the error handler runs
     *   DEAD       complete()                      no                           dead; links handed over
     *
     * The kill protocol (pending throw, interrupt of a foreign wait, landing at a cooperative
     * point or at the end, a Timeout's withdrawal) belongs to KillDelivery, created on the
     * first kill or timeout (docs/ARCHITECTURE.md, P2 and P3). waiter is set and cleared by
     * Hub.await (and the carrier engine's offload) on the greenlet's own thread; KillDelivery
     * reads it.
     */

    private static final ThreadLocal<Greenlet<?>> CURRENT = new ThreadLocal<>();
    private static final AtomicLong IDS = new AtomicLong();

    private static final int NEW = 0;
    private static final int SCHEDULED = 1;
    private static final int RUNNING = 2;
    private static final int FINISHING = 3; // result stored, a failure being reported; nothing woken yet
    private static final int DEAD = 4;

    private static final VarHandle STATE;
    private static final VarHandle KILL;
    private static final VarHandle LINKS;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(Greenlet.class, "state", int.class);
            KILL = l.findVarHandle(Greenlet.class, "kill", KillDelivery.class);
            LINKS = l.findVarHandle(Greenlet.class, "links", Links.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Hub hub;
    private final long id;
    private volatile String name;                      // null until asked for or set: "Greenlet-<id>"
    private volatile Greenlet<?> spawner;              // null when spawned from a plain thread; cleared at its death,
                                                       //   so that dead greenlets never hold chains of ancestors
    private Object fn;                                 // a Callable, or a Runnable (value null); cleared once run
    final HubEngine.Strand strand;                     // its engine's state for it: written by the engine only (P6)
    private volatile int state;                        // NEW -> SCHEDULED -> RUNNING -> FINISHING -> DEAD; a kill before
                                                       //   the start goes from NEW or SCHEDULED to FINISHING
    private T value;                                   // written before state becomes FINISHING
    private Throwable error;                           // written before state becomes FINISHING; GreenletExit included
    private volatile Links links;                      // what runs when it dies; created on the first link (see links())
    private TimerEntry startTimer;                       // set by startLater until the timer fires
    private volatile KillDelivery kill;                // its kill delivery, from its first kill or timeout on; else null
    volatile Waiter waiter;                            // the wait in progress, if any
    private volatile boolean offloading;               // in offload(): running without a turn; guarded by this for writes
    java.util.IdentityHashMap<GreenletLocal<?>, Object> locals; // touched only by this greenlet
    Greenlet<?> livePrev;                              // guarded by hub's monitor
    Greenlet<?> liveNext;                              // guarded by hub's monitor
    boolean live;                                      // guarded by hub's monitor: on the hub's live list

    /**
     * Creates a greenlet that will run {@code fn} on the calling greenlet's hub (the default hub
     * on a plain thread). It does not run until {@link #start()}.
     */
    public Greenlet(Callable<? extends T> fn) {
        this(Hub.current(), null, fn);
    }

    /**
     * Creates a greenlet named {@code name} (null for the default "Greenlet-&lt;id&gt;") that will
     * run {@code fn} on {@code hub}. It does not run until {@link #start()}.
     */
    public Greenlet(Hub hub, String name, Callable<? extends T> fn) {
        this(hub, name, (Object) fn);
    }

    /** A greenlet of {@code hub} that runs {@code fn} and whose value is null (no adapter, no extra frame). */
    static Greenlet<Void> ofRunnable(Hub hub, String name, Runnable fn) {
        return new Greenlet<>(hub, name, (Object) fn);
    }

    private Greenlet(Hub hub, String name, Object fn) {
        this.hub = Objects.requireNonNull(hub, "hub");
        this.strand = hub.engine.newStrand(this);
        this.fn = Objects.requireNonNull(fn, "fn: the code for the greenlet to run");
        this.name = name;
        this.id = IDS.incrementAndGet();
        Greenlet<?> parent = current();
        this.spawner = parent;
    }

    /** The greenlet running the calling code, or null on a thread that is no greenlet (gevent's {@code getcurrent()}). */
    public static Greenlet<?> current() {
        Greenlet<?> g = HubEngine.greenletOf(Thread.currentThread()); // an engine may keep no thread-local
        return g != null ? g : CURRENT.get();
    }

    /**
     * The calling greenlet if it has its hub's turn, that is, unless it is inside
     * {@link Gevent#offload}; else null. Every decision to wait cooperatively rather than block
     * the thread goes through this: code offloaded from a greenlet runs alongside the hub and
     * must wait as a plain thread does, or it would hand on a turn it does not have.
     */
    static Greenlet<?> cooperative() {
        Greenlet<?> g = current();
        return g != null && !g.offloading ? g : null;
    }

    // ---------------------------------------------------------------- starting

    /**
     * Schedules this greenlet to run: it is appended to its hub's ready queue and first runs
     * when the caller reaches a cooperative point (at once, concurrently, when the caller is a
     * plain thread and the hub is idle). Does nothing if it was already started or killed.
     *
     * @throws IllegalStateException if the hub is closed
     */
    public Greenlet<T> start() {
        if (STATE.compareAndSet(this, NEW, SCHEDULED)) {
            try {
                hub.admit(this, Hub.Admission.NOW);
            } catch (IllegalStateException closed) {
                STATE.compareAndSet(this, SCHEDULED, NEW); // unless a kill made it dead meanwhile
                throw closed;
            }
        }
        return this;
    }

    /**
     * Schedules this greenlet to run once {@code delay} has passed (gevent's
     * {@code start_later}). Does nothing if it was already started or killed.
     *
     * @throws IllegalArgumentException if {@code delay} is negative
     * @throws IllegalStateException if the hub is closed
     */
    public Greenlet<T> startLater(Duration delay) {
        long nanos = checkDuration(delay, "startLater delay");
        if (STATE.compareAndSet(this, NEW, SCHEDULED)) {
            try {
                hub.admit(this, Hub.Admission.LATER);
            } catch (IllegalStateException closed) {
                STATE.compareAndSet(this, SCHEDULED, NEW); // unless a kill made it dead meanwhile
                throw closed;
            }
            TimerEntry timer = new TimerEntry() {
                @Override
                void fire() {
                    hub.schedule(Greenlet.this);
                }
            };
            synchronized (this) {
                startTimer = timer;
            }
            hub.clock.add(timer, hub.clock.after(nanos));
        }
        return this;
    }

    /** Whether it waits for its {@code startLater} timer (for virtual time's examination). */
    synchronized boolean awaitsStartTimer() {
        return startTimer != null && startTimer.heapIndex >= 0 && strand.thread() == null;
    }

    /** The greenlet's thread runs this: its whole life, from its first turn to its end. */
    void body() {
        hub.engine.beginTurn(this);
        if (STATE.compareAndSet(this, SCHEDULED, RUNNING)) {
            // Its thread inherits no thread-locals, which leaves the system class loader as its
            // context loader; give it the hub's creator's (an application's, in a Boot jar).
            Thread.currentThread().setContextClassLoader(hub.contextClassLoader);
            T result = null;
            Throwable failure = null;
            try {
                Object code = fn;
                fn = null;
                if (code instanceof Callable<?> c) {
                    @SuppressWarnings("unchecked")
                    T value = (T) c.call();
                    result = value;
                } else {
                    ((Runnable) code).run();
                }
            } catch (Throwable t) {
                failure = t;
            }
            KillDelivery k = this.kill;
            Throwable kill = k == null ? null : k.pendingKill();
            if (kill != null && failure != kill) {
                // A kill that did not land at a cooperative point lands at the end: the greenlet
                // ends killed, whatever a library made of the interrupt that delivered it (an
                // SQLException, a closed socket) or if it returned after all (docs/ARCHITECTURE.md, hazard 6 and protocol P2).
                if (failure != null) {
                    kill.addSuppressed(failure);
                }
                failure = kill;
            }
            if (k != null) {
                k.clearInterrupt();
            }
            if (complete(result, failure)) {
                runLinks();
            }
        }
        // Otherwise it was killed before it started: it never runs, and complete() ran in the killer.
        waiter = null;
        KillDelivery k = kill;
        if (k != null) {
            k.clearAtEnd();
        }
        locals = null;
        hub.engine.exit(this); // forgets the thread (HubEngine.exit)
    }

    /** This greenlet's kill delivery (P2), created on first use: most greenlets are never killed. */
    KillDelivery killDelivery() {
        KillDelivery k = kill;
        if (k == null) {
            k = new KillDelivery(this);
            if (!KILL.compareAndSet(this, null, k)) {
                k = kill;
            }
        }
        return k;
    }

    /** Whether a kill or timeout is pending in this greenlet. */
    boolean hasPendingThrow() {
        KillDelivery k = kill;
        return k != null && k.hasPending();
    }

    /** Whether it was killed urgently ({@link #killUrgently()}): the engines put its turns first (P3). */
    boolean isUrgent() {
        KillDelivery k = kill;
        return k != null && k.urgent;
    }

    // ---------------------------------------------------------------- completion and links

    /**
     * Stores the result; reports a failure to the hub's error handler; then marks the greenlet
     * dead, takes it off its hub's live list, and wakes everything waiting on it, so that no
     * joiner can see the failure before the handler has, nor the greenlet still counted live (gevent too reports in {@code _report_error}, before the greenlet is dead or
     * any link runs). Returns whether user links were left in {@link #links} for
     * {@link #runLinks}: they must run in the hub's turn. (None can be added after the death,
     * only removed; joiners and raw links are handed over here.)
     */
    private boolean complete(T result, Throwable failure) {
        synchronized (this) {
            value = result;
            error = failure;
            state = FINISHING;
        }
        if (failure != null && !(failure instanceof GreenletExit)) {
            hub.reportError(this, failure);
        }
        state = DEAD;
        hub.retire(this);
        spawner = null;
        if (LINKS.compareAndSet(this, null, Links.NONE_TAKEN)) {
            return false; // nothing was ever linked (the common case), and nothing can be now
        }
        Object taken = links.takeAll();
        if (taken instanceof List<?> all) {
            for (Object l : all) {
                handOver(l);
            }
        } else if (taken != null) {
            handOver(taken);
        }
        return links.userLinksLeft();
    }

    /** At its death: wakes a joiner's waiter, or runs a raw link. */
    private void handOver(Object link) {
        if (link instanceof Waiter w) {
            w.signal();
        } else if (link instanceof Links.RawLink r) {
            r.runFor(this);
        }
    }

    /** Runs the user links in a new greenlet of this hub, in the hub's turn (even if the hub is closed). */
    private void runLinksInHub() {
        runInHub(this::runLinks);
    }

    private void runInHub(Runnable linksToRun) {
        Greenlet<Void> runner = ofRunnable(hub, "links of " + name(), linksToRun);
        runner.state = SCHEDULED;
        hub.admit(runner, Hub.Admission.EVEN_IF_CLOSED);
    }

    /** This greenlet's links, created on first use (most greenlets are never linked or joined). */
    private Links links() {
        Links l = links;
        if (l == null) {
            l = new Links();
            if (!LINKS.compareAndSet(this, null, l)) {
                l = links;
            }
        }
        return l;
    }

    /**
     * Runs the user links one at a time, each taken from {@link Links} just before it runs, so
     * that one of them may unlink a later one (gevent honours such an unlink too).
     */
    private void runLinks() {
        Links.UserLink l;
        while ((l = links.pollUserLink()) != null) {
            l.runFor(this);
        }
    }

    /**
     * Calls {@code callback} with this greenlet once it is dead, whether it returned, threw or
     * was killed (gevent's {@code link}). The callback runs in this greenlet's hub, in a
     * turn of the hub: in the dying greenlet right after it finishes, or, when this greenlet is
     * already dead, in a new greenlet of the hub. An exception from the callback goes to the
     * hub's error handler.
     */
    public void link(Consumer<? super Greenlet<T>> callback) {
        link(callback, Links.When.ALWAYS);
    }

    /** {@link #link}, but only when the greenlet ends successfully (gevent's {@code link_value}). */
    public void linkValue(Consumer<? super Greenlet<T>> callback) {
        link(callback, Links.When.ON_VALUE);
    }

    /** {@link #link}, but only when the greenlet ends with an exception (gevent's {@code link_exception}). */
    public void linkException(Consumer<? super Greenlet<T>> callback) {
        link(callback, Links.When.ON_EXCEPTION);
    }

    @SuppressWarnings("unchecked")
    private void link(Consumer<? super Greenlet<T>> callback, Links.When when) {
        Objects.requireNonNull(callback, "callback");
        Links.UserLink l = new Links.UserLink((Consumer<? super Greenlet<?>>) (Consumer<?>) callback, when);
        if (!links().add(l)) {
            runInHub(() -> l.runFor(this));
        }
    }

    /**
     * Removes a callback added with {@link #link}, {@link #linkValue} or {@link #linkException}
     * (the first registration of that same object), if it has not run yet.
     */
    public void unlink(Consumer<? super Greenlet<T>> callback) {
        links().remove(l -> l instanceof Links.UserLink link && link.callback() == callback);
    }

    /**
     * {@inheritDoc}
     *
     * <p>For a greenlet the callback runs on whichever thread completes it (normally the
     * greenlet itself; the killer when it is killed before it starts), without a turn. It
     * is meant for plumbing (futures, wait sets); user code wants {@link #link}.
     */
    @Override
    public void rawlink(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        Links.RawLink raw = new Links.RawLink(callback);
        if (!links().add(raw)) {
            raw.runFor(this);
        }
    }

    @Override
    public void unlink(Runnable callback) {
        links().remove(l -> l instanceof Links.RawLink r && r.callback() == callback);
    }

    // ---------------------------------------------------------------- joining and results

    /**
     * Waits until this greenlet is dead. Returns at once if it already is. A cooperative point;
     * see the class comment on kill and timeout.
     *
     * @throws IllegalStateException if a greenlet joins itself (it would wait forever)
     */
    public void join() {
        joinUntil(Deadline.none());
    }

    /**
     * Waits at most {@code timeout} until this greenlet is dead, and says whether it is.
     *
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException if a greenlet joins itself
     */
    public boolean join(Duration timeout) {
        return joinUntil(Deadline.of(timeout));
    }

    private boolean joinUntil(Deadline deadline) {
        if (state == DEAD) {
            return true;
        }
        if (current() == this) {
            throw new IllegalStateException(this + " cannot join itself: it would wait for its own end forever");
        }
        Waiter w = Waiter.forCurrent(this);
        if (!links().add(w)) {
            return true;
        }
        w.awaitOrWithdraw(deadline, () -> links().remove(l -> l == w));
        return state == DEAD;
    }

    /**
     * Waits until this greenlet is dead and returns its value, or rethrows its exception:
     * unchecked ones as they are, checked ones wrapped in a {@link CompletionException}. If it
     * was killed by {@link GreenletExit}, throws a {@link CancellationException}.
     */
    public T get() {
        join();
        return result();
    }

    /**
     * {@link #get()}, waiting at most {@code timeout}.
     *
     * @throws Timeout if the greenlet is not dead by then (gevent raises {@code Timeout} too)
     */
    public T get(Duration timeout) {
        if (!join(timeout)) {
            throw Timeout.expired(timeout, "get() of " + this);
        }
        return result();
    }

    private T result() {
        Throwable e = error;
        if (e == null) {
            return value;
        }
        if (e instanceof GreenletExit exit) {
            CancellationException c = new CancellationException(this + " was killed");
            c.initCause(exit);
            throw c;
        }
        throw Exceptions.rethrow(e);
    }

    /**
     * The same as {@link #isDead()}, under the name {@link Waitable} gives it (gevent's
     * {@code ready()}), so that a greenlet can be waited on beside events and semaphores.
     */
    @Override
    public boolean isDone() {
        return isDead();
    }

    /** Whether its result is stored: dead, or finishing (its failure being reported). */
    boolean isFinished() {
        return state >= FINISHING;
    }

    /** Whether this greenlet is dead: it returned, threw, or was killed (before or after it started). */
    public boolean isDead() {
        return state == DEAD;
    }

    /** Whether {@link #start()} (or a spawn) was called, or the greenlet is dead. */
    public boolean isStarted() {
        return state != NEW;
    }

    /** Whether this greenlet is dead without an exception; one killed by {@link GreenletExit} counts, as in gevent. */
    public boolean isSuccessful() {
        if (state < FINISHING) {
            return false;
        }
        Throwable e = error;
        return e == null || e instanceof GreenletExit;
    }

    /**
     * Whether it died of a {@link GreenletExit}: killed, before or after it started. Such a
     * greenlet counts as successful, as in gevent; this tells it from one that returned null.
     */
    public boolean isKilled() {
        return state >= FINISHING && error instanceof GreenletExit;
    }

    /** The value it returned, or null if it is not dead, failed or was killed. */
    public T value() {
        return state >= FINISHING && error == null ? value : null;
    }

    /**
     * The exception it ended with, or null if it is not dead or succeeded. A {@link GreenletExit}
     * counts as success, as in gevent, so it is not returned here.
     */
    public Throwable exception() {
        if (state < FINISHING) {
            return null;
        }
        Throwable e = error;
        return e instanceof GreenletExit ? null : e;
    }

    /** This greenlet's name: the one given, or "Greenlet-&lt;id&gt;". */
    public String name() {
        String n = name;
        if (n == null) {
            n = "Greenlet-" + id;
            name = n;
        }
        return n;
    }

    /** Renames this greenlet (for logs and run-info dumps). */
    public Greenlet<T> setName(String name) {
        this.name = Objects.requireNonNull(name, "name");
        return this;
    }

    /** A number unique to this greenlet in this JVM. */
    public long id() {
        return id;
    }

    /** The hub this greenlet runs on. */
    public Hub hub() {
        return hub;
    }

    /** The greenlet that created this one, if it was created in a greenlet; null once this one is dead. */
    public Greenlet<?> spawningGreenlet() {
        return spawner;
    }

    /** The virtual thread this greenlet runs on, from its first turn until it is dead (for stack dumps); else null. */
    public Thread thread() {
        return strand.thread();
    }

    /** The object this greenlet is waiting on right now (a greenlet, an event, its hub for sleep), or null. */
    public Object waitingOn() {
        Waiter w = waiter;
        return w == null ? null : w.blocker;
    }

    // ---------------------------------------------------------------- killing

    /**
     * Kills this greenlet with a new {@link GreenletExit} and waits until it is dead
     * (gevent's {@code kill()}). See {@link #kill(Throwable, boolean, Duration)}.
     */
    public void kill() {
        kill(null, true, null);
    }

    /** Kills this greenlet with {@code exception} and waits until it is dead. */
    public void kill(Throwable exception) {
        kill(exception, true, null);
    }

    /** Kills this greenlet with a new {@link GreenletExit}; waits for its death only if {@code block}. */
    public void kill(boolean block, Duration timeout) {
        kill(null, block, timeout);
    }

    /**
     * Raises {@code exception} (a new {@link GreenletExit} if null) in this greenlet.
     *
     * <ul>
     * <li>Not started yet: it is marked dead at once and never runs; its joiners wake and its
     * links still run, in its hub.</li>
     * <li>Waiting at a cooperative point: the wait ends and the exception is thrown there, as
     * soon as the greenlet's turn comes.</li>
     * <li>Running (a CPU loop, or a blocking call that is not cooperative): the exception lands
     * at its next cooperative point.</li>
     * <li>The caller itself: thrown right here.</li>
     * <li>Dead: nothing happens.</li>
     * </ul>
     * The greenlet's {@code finally} blocks run as the exception unwinds it. A greenlet that
     * ends with {@code GreenletExit} counts as successful and is not reported as a failure;
     * any other exception is.
     *
     * @param block whether to wait until the greenlet is dead (a cooperative point)
     * @param timeout how long to wait when {@code block}; null for no limit
     */
    public void kill(Throwable exception, boolean block, Duration timeout) {
        kill(exception, block, timeout, false);
    }

    /**
     * Kills this greenlet with a new {@link GreenletExit}, without waiting, and delivers the
     * kill ahead of the hub's ordinary work: from now until it is dead, its turns go before
     * every greenlet that is merely ready (if it is ready now, it moves to the front), and on
     * the carrier engine the interrupt of a foreign wait it is parked in is delivered before
     * the next ordinary turn. So a deadline (a shutdown's) is kept under load, where a plain
     * {@link #kill} queues behind every greenlet already ready, as in gevent. Urgent kills keep
     * their own order among themselves. A greenlet that holds its hub (a CPU loop, a blocking
     * call on the permit engine) still sees the kill only at its next cooperative point: no
     * engine can preempt it. gevent has no such variant; its {@code Hub.destroy} does not kill.
     */
    public void killUrgently() {
        kill(null, false, null, true);
    }

    private void kill(Throwable exception, boolean block, Duration timeout, boolean urgently) {
        long timeoutNanos = timeout == null ? -1 : checkDuration(timeout, "kill timeout");
        Throwable ex = exception != null ? exception : new GreenletExit();
        if (state == DEAD) {
            return;
        }
        if (current() == this) {
            throw Exceptions.sneakyThrow(ex);
        }
        int s = state;
        if ((s == NEW || s == SCHEDULED) && STATE.compareAndSet(this, s, FINISHING)) {
            killBeforeStart(ex);
            return;
        }
        if (urgently) {
            KillDelivery k = killDelivery();
            k.urgent = true; // before raise(): a wake-up that raise() causes already goes first
            k.raise(ex, true);
            hub.engine.expedite(this); // and if it is ready already, it moves to the front
        } else {
            raise(ex, true);
        }
        if (block) {
            if (timeoutNanos < 0) {
                join();
            } else {
                join(Duration.ofNanos(timeoutNanos));
            }
        }
    }

    private void killBeforeStart(Throwable ex) {
        boolean linked = complete(null, ex);
        TimerEntry timer;
        synchronized (this) {
            timer = startTimer;
            startTimer = null;
        }
        if (timer != null) {
            // It was waiting for startLater's timer. complete() took it off the live list; it
            // needs no turn, and no thread: the engines drop a greenlet killed before its first
            // turn, should the timer have fired meanwhile (and one already in the ready queue).
            hub.clock.cancel(timer);
        }
        if (linked) {
            runLinksInHub();
        }
    }

    /** Makes {@code ex} pending and interrupts the current wait: {@link KillDelivery#raise}. */
    void raise(Throwable ex, boolean overwrite) {
        killDelivery().raise(ex, overwrite);
    }

    /** Marks the start of an offloaded call: from here a kill interrupts the greenlet's thread (permit engine). */
    synchronized void startOffload() {
        offloading = true;
    }

    /** Marks its end; clears the interrupt a kill sent, which must not outlive the call. */
    void endOffload() {
        synchronized (this) {
            offloading = false;
        }
        KillDelivery k = kill; // (a kill that interrupts the call creates it before it reads offloading)
        if (k != null) {
            k.clearInterrupt();
        }
    }

    /** Makes this greenlet {@link #current()} on the calling thread, its own: for an engine that needs a thread-local. */
    void bindToThread() {
        CURRENT.set(this);
    }

    /** The carrier engine runs an offloaded call on another thread, as {@code g} but without its turn. */
    static void enterOffload(Greenlet<?> g) {
        CURRENT.set(g); // its offloading flag is already set: current() is g, cooperative() is null
    }

    /** The end of {@link #enterOffload} on that thread. */
    static void leaveOffload() {
        CURRENT.remove();
    }

    /** Whether it is in {@link Gevent#offload}, running a blocking call without a turn. */
    public boolean isOffloaded() {
        return offloading;
    }

    /** At a cooperative point: throws the pending kill or timeout, if any ({@link KillDelivery#land}). */
    void landPending() {
        KillDelivery k = kill;
        if (k != null) {
            k.land();
        }
    }

    // ---------------------------------------------------------------- futures

    /**
     * A {@link CompletableFuture} that completes when this greenlet dies: with its value, with
     * its exception, or cancelled if it was killed by {@link GreenletExit}. Cancelling the
     * future kills the greenlet (without waiting). Use it to hand a greenlet to Java APIs.
     */
    public CompletableFuture<T> toCompletableFuture() {
        CompletableFuture<T> f = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                boolean cancelled = super.cancel(mayInterruptIfRunning);
                if (cancelled) {
                    Greenlet.this.kill(false, null);
                }
                return cancelled;
            }
        };
        rawlink(() -> {
            Throwable e = error;
            if (e == null) {
                f.complete(value);
            } else if (e instanceof GreenletExit) {
                f.cancel(false);
            } else {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /**
     * A greenlet that is already dead with {@code value}, never run: what a {@code @Greenlet}
     * method returning {@code Greenlet<T>} returns, as an {@code @Async} method returns
     * {@code CompletableFuture.completedFuture(value)}. It belongs to the calling greenlet's hub
     * (the default hub on a plain thread).
     */
    public static <T> Greenlet<T> completed(T value) {
        Greenlet<T> g = new Greenlet<>(Hub.current(), null, () -> value);
        g.value = value;
        g.state = DEAD;
        g.links = Links.NONE_TAKEN; // dead from the start: links run at once, as for any dead greenlet
        return g;
    }

    /**
     * Spawns a greenlet, on the calling greenlet's hub or the default hub, that waits
     * cooperatively for {@code stage} and ends with its outcome: the way back from a Java
     * future to a greenlet that can be joined, linked and passed to {@link Gevent#joinall}.
     */
    public static <T> Greenlet<T> fromFuture(CompletionStage<? extends T> stage) {
        Objects.requireNonNull(stage, "stage");
        return Hub.current().spawn(() -> Gevent.await(stage));
    }

    // ---------------------------------------------------------------- helpers

    static long checkDuration(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, got " + d
                    + "; use Duration.ZERO for no wait");
        }
        return Deadline.toNanos(d);
    }

    @Override
    public String toString() {
        String st = switch (state) {
            case NEW -> "new";
            case SCHEDULED -> "scheduled";
            case RUNNING -> "running";
            case FINISHING -> "finishing";
            default -> error == null ? "dead" : error instanceof GreenletExit ? "killed" : "failed";
        };
        return "<Greenlet \"" + name() + "\" #" + id + " " + st + ">";
    }
}
