package dev.greenlet.engine;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.concurrent.Executor;

/**
 * The one place that reaches into the JDK for the carrier engine: virtual threads with a
 * scheduler of our own, and the JDK's default scheduler.
 *
 * <p>The JDK has no public API for a custom virtual-thread scheduler yet (the Loom project's
 * "custom schedulers" work may add one). The package-private constructor
 * {@code java.lang.ThreadBuilders$VirtualThreadBuilder(Executor)}, which the JDK's own tests
 * use, builds virtual threads whose continuations are handed to that executor; it is reached
 * reflectively, which needs {@code --add-opens java.base/java.lang=ALL-UNNAMED}. Everything
 * else in the engine is public API, so switching to a public constructor later changes only
 * this class.
 *
 * <p>The carrier engine also needs JDK 24 or later: before JEP 491, a virtual thread blocked
 * on {@code synchronized} or in {@code Object.wait} pinned its carrier, and with one carrier
 * per hub that would stall the hub.
 *
 * <p>Internal: public only so that the hub in {@code dev.greenlet} can reach it; no API
 * promise (docs/ARCHITECTURE.md, section 1).
 */
public final class Carriers {

    /** The oldest JDK whose {@code synchronized} and {@code Object.wait} release the carrier. */
    static final int MIN_FEATURE = 24;

    private static final MethodHandle NEW_BUILDER;   // (Executor) -> Thread.Builder.OfVirtual, or null
    private static final MethodHandle NEW_THREAD;    // (Executor, String, int, Runnable) -> Thread, or null
    private static final int NO_INHERIT_THREAD_LOCALS; // Thread's characteristic for inheritInheritableThreadLocals(false)
    private static final Executor DEFAULT_SCHEDULER; // the JDK's ForkJoinPool for virtual threads, or null
    private static final String UNAVAILABLE;         // why the engine cannot run here, or null
    private static final java.lang.invoke.VarHandle SCHEDULER; // VirtualThread.scheduler, or null

    static {
        MethodHandle ctor = null;
        MethodHandle newThread = null;
        int noInherit = 0;
        Executor defaultScheduler = null;
        java.lang.invoke.VarHandle schedulerField = null;
        String why = null;
        int feature = Runtime.version().feature();
        if (feature < MIN_FEATURE) {
            why = "the carrier engine needs JDK " + MIN_FEATURE + " or later (this JVM is " + Runtime.version()
                    + "): before JEP 491, synchronized and Object.wait pin a virtual thread to its carrier."
                    + " Run on JDK " + MIN_FEATURE + "+, or use the permit engine (leave patch-all off)";
        } else {
            String member = "java.lang.ThreadBuilders$VirtualThreadBuilder(Executor)";
            try {
                Class<?> builder = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder");
                Constructor<?> c = builder.getDeclaredConstructor(Executor.class);
                c.setAccessible(true);
                ctor = MethodHandles.lookup().unreflectConstructor(c)
                        .asType(MethodType.methodType(Thread.Builder.OfVirtual.class, Executor.class));
                member = "java.lang.ThreadBuilders.newVirtualThread(Executor, String, int, Runnable)";
                Method nvt = Class.forName("java.lang.ThreadBuilders").getDeclaredMethod("newVirtualThread", Executor.class, String.class, int.class,
                        Runnable.class);
                nvt.setAccessible(true);
                newThread = MethodHandles.lookup().unreflect(nvt).asType(MethodType.methodType(
                        Thread.class, Executor.class, String.class, int.class, Runnable.class));
                member = "java.lang.Thread.NO_INHERIT_THREAD_LOCALS";
                java.lang.reflect.Field flag = Thread.class.getDeclaredField("NO_INHERIT_THREAD_LOCALS");
                flag.setAccessible(true);
                noInherit = flag.getInt(null);
                member = "java.lang.VirtualThread.defaultScheduler()";
                Class<?> vthread = Class.forName("java.lang.VirtualThread");
                Method m = vthread.getDeclaredMethod("defaultScheduler");
                m.setAccessible(true);
                defaultScheduler = (Executor) m.invoke(null);
                member = "java.lang.VirtualThread.scheduler";
                schedulerField = MethodHandles.privateLookupIn(vthread, MethodHandles.lookup())
                        .findVarHandle(vthread, "scheduler", Executor.class);
            } catch (RuntimeException | ReflectiveOperationException e) {
                ctor = null;
                why = unavailableBecause(e, member, Runtime.version());
            }
        }
        NEW_BUILDER = why == null ? ctor : null;
        NEW_THREAD = why == null ? newThread : null;
        NO_INHERIT_THREAD_LOCALS = noInherit;
        SCHEDULER = why == null ? schedulerField : null;
        DEFAULT_SCHEDULER = defaultScheduler;
        UNAVAILABLE = why;
        if (why == null) {
            startPollersOnAPlatformThread();
        }
    }

    private Carriers() {
    }

    /**
     * Why the reflection on {@code member} failed with {@code e}, and the fix: only a JVM that
     * does not open {@code java.lang} (an {@link java.lang.reflect.InaccessibleObjectException},
     * or an {@link IllegalAccessException} from a private lookup) needs the {@code --add-opens};
     * a class, method or field that is missing or has changed means this JDK's internals are not
     * the ones the engine was written against, and no option fixes that.
     */
    static String unavailableBecause(Throwable e, String member, Runtime.Version version) {
        if (e instanceof java.lang.reflect.InaccessibleObjectException || e instanceof IllegalAccessException) {
            return "the carrier engine needs --add-opens java.base/java.lang=ALL-UNNAMED to give each hub a"
                    + " virtual-thread scheduler of its own (" + e + "). Add it to the JVM's options: on the"
                    + " command line (java --add-opens java.base/java.lang=ALL-UNNAMED -jar app.jar), in the"
                    + " spring-boot-maven-plugin's <jvmArguments> for spring-boot:run, in surefire's <argLine>"
                    + " for tests, or as 'Add-Opens: java.base/java.lang' in an executable jar's manifest";
        }
        return "the carrier engine cannot run on this JDK (" + version + "): the JDK-internal " + member
                + " it builds on is missing or has changed (" + e + "). It was written against JDK "
                + MIN_FEATURE + " to 25; use one of those, or the permit engine (leave patch-all off)";
    }

    /** Why the carrier engine cannot run in this JVM, or null if it can. */
    public static String unavailableReason() {
        return UNAVAILABLE;
    }

    /** Throws, naming the fix, unless the carrier engine can run in this JVM. */
    public static void checkAvailable(String operation) {
        if (UNAVAILABLE != null) {
            throw new IllegalStateException(operation + ": " + UNAVAILABLE);
        }
    }

    /**
     * A builder of virtual threads whose continuations {@code scheduler} runs. Virtual threads
     * that such a thread creates with {@code Thread.ofVirtual()} inherit the scheduler (the
     * JDK's rule): the scheduler must tell its own thread's tasks from theirs.
     */
    public static Thread.Builder.OfVirtual builder(Executor scheduler) {
        try {
            return (Thread.Builder.OfVirtual) NEW_BUILDER.invokeExact(scheduler);
        } catch (Throwable e) {
            throw new IllegalStateException("creating a virtual thread for the carrier engine failed", e);
        }
    }

    /**
     * An unstarted, unnamed virtual thread that runs {@code task}, whose continuations
     * {@code scheduler} runs, and that inherits no inheritable thread-locals: what
     * {@code builder(scheduler).inheritInheritableThreadLocals(false).unstarted(task)} makes,
     * without a builder per thread (the carrier engine makes a thread per greenlet, and the
     * builder was a tenth of a spawn). The JDK method it calls is the one the builder calls.
     */
    public static Thread newThread(Executor scheduler, Runnable task) {
        try {
            return (Thread) NEW_THREAD.invokeExact(scheduler, (String) null, NO_INHERIT_THREAD_LOCALS, task);
        } catch (Throwable e) {
            throw new IllegalStateException("creating a virtual thread for the carrier engine failed", e);
        }
    }

    /**
     * The scheduler of virtual thread {@code t}, or null where the carrier engine cannot run:
     * how a carrier-engine greenlet is found from its thread without a thread-local (which
     * would cost every greenlet a thread-local map).
     */
    public static Executor schedulerOf(Thread t) {
        return SCHEDULER == null ? null : (Executor) SCHEDULER.get(t);
    }

    /** The JDK's default virtual-thread scheduler, where tasks that are no greenlet's run. */
    public static Executor defaultScheduler() {
        return DEFAULT_SCHEDULER;
    }

    /**
     * The JDK creates its socket pollers (virtual threads) on first use, with the scheduler of
     * the thread that first waits for a socket: were that a greenlet, the pollers would inherit
     * its hub (docs/ARCHITECTURE.md, hazard 1). Starting them here, from a platform thread, gives them the
     * default scheduler. The hubs also hand any task that is not one of their greenlets to the
     * default scheduler, so this is a second line of defence, not the only one.
     */
    private static void startPollersOnAPlatformThread() {
        // A separate class, not a lambda: a lambda of this class would wait for this class's
        // initialisation, which waits for the thread.
        Thread t = Thread.ofPlatform().name("greenlet-poller-init").start(new PollerStarter());
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class PollerStarter implements Runnable {
        @Override
        public void run() {
            try {
                Class.forName("sun.nio.ch.Poller", true, null);
            } catch (ClassNotFoundException | LinkageError e) {
                System.getLogger(Carriers.class.getName()).log(System.Logger.Level.DEBUG,
                        "could not start the JDK's socket pollers early", e);
            }
        }
    }
}
