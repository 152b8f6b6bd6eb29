package dev.greenlet.diagnostics;

import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.AbstractOwnableSynchronizer;
import java.util.concurrent.locks.LockSupport;

/**
 * What the hub monitor says about a stall: which kind of call holds the hub, judged from the
 * stalled greenlet's stack, thread state and engine, with the fix that fits it; whether the stall
 * is class loading (not reported as the application's, see {@link HubMonitor}); and, in the permit
 * engine, whether it is a deadlock: the greenlet holding the turn waits for a lock whose owner is
 * another greenlet of the same hub, which needs the turn to go on (docs/ARCHITECTURE.md, section 4).
 *
 * <p>Advice on the permit engine: every wait that the carrier engine makes cooperative (a socket,
 * {@code Thread.sleep}, a lock, a pool, a future, the JDK HttpClient) leads with
 * {@code greenlet.monkey.patch-all=true} ({@code Monkey.patchAll()}). {@code patch-socket} alone is
 * offered only for a plain socket wait with no pool or lock on the stack: a socket made cooperative
 * under a pool or lock that still keeps the turn lets a second greenlet into that pool or lock
 * while the first holds it, and the hub deadlocks (seen with HikariCP).
 *
 * <p>Finding a lock's owner uses only the stalled greenlet's own thread: for a
 * {@code java.util.concurrent} lock the park blocker is an {@link AbstractOwnableSynchronizer},
 * whose owner is read reflectively where the JVM allows it
 * ({@code --add-opens java.base/java.util.concurrent.locks=ALL-UNNAMED}). The owner of a monitor a
 * virtual thread waits to enter has no public API (ThreadMXBean does not cover virtual threads), and
 * no thread dump is taken for it: the report then names the greenlets of the hub that may own it.
 * All of this runs only when a stall is reported, never on the switch path.
 */
final class StallDiagnosis {

    private StallDiagnosis() {
    }

    private static final String PATCH_ALL = "Set greenlet.monkey.patch-all=true in the starter (Monkey.patchAll() before"
            + " hubs are created, with --add-opens java.base/java.lang=ALL-UNNAMED on JDK 24+): on the carrier engine";

    /** The advice for {@code holder}, which holds {@code hub}; adds the greenlets that may own a monitor it waits for. */
    static String advice(Hub hub, Greenlet<?> holder, Thread.State state, List<StackTraceElement> stack) {
        String advice = advice(hub.parksCooperatively(), state, stack);
        if (!hub.parksCooperatively() && state == Thread.State.BLOCKED) {
            advice += possibleOwners(hub, holder, stack);
        }
        return advice;
    }

    /**
     * The advice for a greenlet that has held a hub without a cooperative point;
     * {@code jdkWaitsPassTheTurn} is {@link Hub#parksCooperatively()} (false: the permit engine,
     * where a JDK wait keeps the turn and patch-all is the fix).
     */
    static String advice(boolean jdkWaitsPassTheTurn, Thread.State state, List<StackTraceElement> stack) {
        boolean permit = !jdkWaitsPassTheTurn;
        boolean waiting = state == Thread.State.BLOCKED || state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
        if (has(stack, "java.net.http.", "jdk.internal.net.http.")) {
            return permit
                    ? PATCH_ALL + " the JDK HttpClient's waits give the hub up. Or wrap the client with"
                            + " Monkey.cooperative(client) (greenlet.monkey.patch-http-clients=true)."
                    : "It waits in the JDK HttpClient: wrap the client with Monkey.cooperative(client)"
                            + " (greenlet.monkey.patch-http-clients=true in the starter).";
        }
        if (has(stack, "java.net.Inet4AddressImpl", "java.net.Inet6AddressImpl", "java.net.InetAddress$PlatformResolver")) {
            return "It resolves a host name, which blocks without parking: Monkey.patchDns()"
                    + " (greenlet.monkey.patch-dns=true), or Gevent.offload(...) around the lookup.";
        }
        if (hasMethod(stack, "<clinit>")) {
            return "It runs a class initialiser, which pins its thread; a class initialiser that waits for another"
                    + " greenlet of the same hub deadlocks it. Initialise the class before spawning, or run the first"
                    + " use through Gevent.offload(...).";
        }
        if (has(stack, "java.io.FileInputStream", "java.io.FileOutputStream", "java.io.RandomAccessFile",
                "sun.nio.ch.FileChannelImpl", "sun.nio.ch.FileDispatcherImpl", "sun.nio.fs.", "java.io.UnixFileSystem")) {
            return "It does file or pipe I/O, which blocks without parking (in both engines):"
                    + " run it through Gevent.offload(...).";
        }
        if (has(stack, "java.lang.ProcessImpl", "java.lang.ProcessBuilder")) {
            return "It starts or waits for a process, which blocks without parking: run it through Gevent.offload(...).";
        }
        if (permit) {
            boolean poolOrLock = hasPoolOrLock(state, stack);
            if (has(stack, "sun.nio.ch.NioSocketImpl", "java.net.SocketInputStream", "java.net.Socket$SocketInputStream",
                    "sun.nio.ch.SocketChannelImpl", "sun.nio.ch.SocketAdaptor")) {
                return PATCH_ALL + " every socket, lock and pool wait gives the hub up."
                        + (poolOrLock
                                ? " Do not turn on patch-socket alone here: a pool or lock is on this stack, and with"
                                        + " cooperative sockets under a lock that keeps the turn the hub deadlocks."
                                : " If nothing on the path holds a pool or lock, greenlet.monkey.patch-socket=true"
                                        + " (Monkey.patchSocket()) makes only sockets cooperative.");
            }
            if (!stack.isEmpty() && isThreadSleep(stack)) {
                return PATCH_ALL + " Thread.sleep gives the hub up. Or call Gevent.sleep(...) instead.";
            }
            if (waiting || poolOrLock) {
                return PATCH_ALL + " lock, pool and future waits give the hub up (java.util.concurrent and"
                        + " synchronized cannot be made cooperative on the permit engine). If the lock's owner is a"
                        + " greenlet of this hub waiting for its turn, the hub is deadlocked. Or use the hub's own"
                        + " primitives (dev.greenlet.lock, .queue, .event), or Gevent.offload(...).";
            }
        }
        if (!stack.isEmpty() && stack.get(0).isNativeMethod()) {
            return "It is in a native call (" + stack.get(0) + "), which blocks without parking:"
                    + " run it through Gevent.offload(...).";
        }
        if (has(stack, "org.apache.commons.pool2.impl.GenericObjectPool")) {
            return "It spins in commons-pool2 (a pool with maxWait=-1 busy-waits while another greenlet creates an"
                    + " object): configure a bounded max-wait (for Jedis: spring.data.redis.jedis.pool.max-wait).";
        }
        if (!permit && waiting) {
            return "It waits without releasing the carrier (a pinned wait: a native frame on its stack,"
                    + " or a class initialiser): run the call through Gevent.offload(...).";
        }
        return "It computes or busy-waits without a cooperative point (virtual threads are not preempted):"
                + " call Gevent.sleep(0) inside long computations, or run them through Gevent.offload(...).";
    }

    /**
     * Whether a pool or lock is on the stack (or the thread waits to enter a monitor): a wait under
     * which making only sockets cooperative can deadlock the permit engine.
     */
    static boolean hasPoolOrLock(Thread.State state, List<StackTraceElement> stack) {
        if (state == Thread.State.BLOCKED) {
            return true;
        }
        for (StackTraceElement e : stack) {
            String c = e.getClassName();
            String m = e.getMethodName();
            if (c.startsWith("java.util.concurrent.") || c.startsWith("com.zaxxer.hikari.")
                    || c.startsWith("org.apache.commons.pool2.") || c.startsWith("org.apache.tomcat.jdbc.pool.")
                    || c.startsWith("com.mchange.v2.") || c.startsWith("oracle.ucp.")
                    || (c.equals("java.lang.Object") && m.startsWith("wait"))
                    || (c.equals("jdk.internal.misc.Unsafe") && m.equals("park"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the stack is inside class loading, linking or a static initialiser: the JVM's start-up
     * and first-use work, not a stall of the application.
     */
    static boolean isClassLoading(List<StackTraceElement> stack) {
        for (StackTraceElement e : stack) {
            String c = e.getClassName();
            String m = e.getMethodName();
            if (m.equals("<clinit>") || m.equals("loadClass") || m.equals("findClass") || m.startsWith("defineClass")
                    || m.equals("forName0") || m.equals("linkCallSite") || m.equals("linkDynamicConstant")
                    || c.startsWith("jdk.internal.loader.") || c.equals("java.lang.invoke.InnerClassLambdaMetafactory")) {
                return true;
            }
        }
        return false;
    }

    private static boolean isThreadSleep(List<StackTraceElement> stack) {
        for (int i = 0; i < Math.min(stack.size(), 8); i++) {
            StackTraceElement e = stack.get(i);
            if (e.getClassName().equals("java.lang.Thread") && e.getMethodName().startsWith("sleep")) {
                return true;
            }
        }
        return false;
    }

    private static boolean has(List<StackTraceElement> stack, String... prefixes) {
        for (StackTraceElement e : stack) {
            for (String p : prefixes) {
                if (e.getClassName().startsWith(p)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean hasMethod(List<StackTraceElement> stack, String method) {
        for (StackTraceElement e : stack) {
            if (e.getMethodName().equals(method)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Permit engine: the greenlet of {@code hub} that owns the {@code java.util.concurrent} lock
     * that {@code holder} (which holds the turn) waits for, if it is one that cannot go on without
     * the turn; else null (no deadlock, or the owner cannot be told).
     */
    static Greenlet<?> deadlockPartner(Hub hub, Greenlet<?> holder) {
        Thread t = holder.thread();
        if (t == null) {
            return null;
        }
        Thread.State state = t.getState();
        if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) {
            return null;
        }
        Thread owner = synchronizerOwner(LockSupport.getBlocker(t));
        if (owner == null) {
            return null;
        }
        for (Greenlet<?> g : hub.greenlets()) {
            if (g != holder && g.thread() == owner && !g.isOffloaded()) {
                return g; // it needs the turn to go on, and the holder will not give it up
            }
        }
        return null;
    }

    /**
     * For a holder blocked entering a monitor, whose owner no public API names: the greenlets of
     * the hub that may own it (they run code of the class the holder is blocked in, and wait for
     * their turn), or how many greenlets of the hub wait for their turn at all.
     */
    private static String possibleOwners(Hub hub, Greenlet<?> holder, List<StackTraceElement> stack) {
        String blockedIn = null;
        for (StackTraceElement e : stack) {
            if (!Frames.isLibraryOrJdk(e.getClassName())) {
                blockedIn = e.getClassName();
                break;
            }
        }
        List<String> likely = new ArrayList<>();
        int others = 0;
        for (Greenlet<?> g : hub.greenlets()) {
            Thread gt = g.thread();
            if (g == holder || gt == null || g.isOffloaded()) {
                continue;
            }
            others++;
            if (blockedIn != null && likely.size() < 5) {
                for (StackTraceElement e : gt.getStackTrace()) {
                    if (e.getClassName().equals(blockedIn)) {
                        likely.add(g.toString());
                        break;
                    }
                }
            }
        }
        if (others == 0) {
            return "";
        }
        return " It is blocked entering a synchronized block while it holds the turn; if the monitor's owner is a"
                + " greenlet of this hub, the hub is deadlocked and will not recover"
                + (likely.isEmpty() ? " (" + others + " greenlet(s) of the hub wait for their turn)."
                        : "; possible owners (in " + blockedIn + " too, waiting for their turn): " + String.join(", ", likely) + ".")
                + " Lock owners of virtual threads are in a thread dump: jcmd <pid> Thread.dump_to_file -format=json <file>.";
    }

    private static Thread synchronizerOwner(Object blocker) {
        if (!(blocker instanceof AbstractOwnableSynchronizer)) {
            return null;
        }
        try {
            Method m = AbstractOwnableSynchronizer.class.getDeclaredMethod("getExclusiveOwnerThread");
            m.setAccessible(true);
            return (Thread) m.invoke(blocker);
        } catch (ReflectiveOperationException | RuntimeException notOpen) {
            return null; // needs --add-opens java.base/java.util.concurrent.locks=ALL-UNNAMED
        }
    }
}
