package dev.greenlet.diagnostics;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.Hub;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.AbstractOwnableSynchronizer;
import java.util.concurrent.locks.LockSupport;

/**
 * What the hub monitor says about a stall: which kind of call holds the hub, judged from the
 * stalled greenlet's stack, thread state and engine, with the fix that fits it; and, in the
 * permit engine, whether the stall is a deadlock: the greenlet holding the permit waits for a
 * monitor or lock whose owner is another greenlet of the same hub, which needs the permit to
 * go on (docs/ARCHITECTURE.md, section 4).
 *
 * <p>Finding a lock's owner: for a {@code java.util.concurrent} lock the park blocker is an
 * {@link AbstractOwnableSynchronizer}, whose owner is read reflectively where the JVM allows it
 * ({@code --add-opens java.base/java.util.concurrent.locks=ALL-UNNAMED}); for a monitor the
 * JDK's JSON thread dump (JDK 25 names each thread's {@code blockedOn} and
 * {@code monitorsOwned}) is read. Both run only when a stall is reported, never on the switch
 * path; when neither can tell, the report says that the owner is unknown and gives the advice.
 */
final class StallDiagnosis {

    private StallDiagnosis() {
    }

    /** The advice for a greenlet that has held hub {@code hub} without a cooperative point. */
    static String advice(Hub.Engine engine, Thread.State state, List<StackTraceElement> stack) {
        boolean permit = engine == Hub.Engine.PERMIT;
        if (has(stack, "java.net.http.", "jdk.internal.net.http.")) {
            return "It waits in the JDK HttpClient: wrap the client with Monkey.cooperative(client)"
                    + " (greenlet.monkey.patch-http-clients=true in the starter)"
                    + (permit ? " or select the carrier engine (Monkey.patchAll(), greenlet.monkey.patch-all=true)." : ".");
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
            if (has(stack, "sun.nio.ch.NioSocketImpl", "java.net.SocketInputStream", "java.net.Socket$SocketInputStream",
                    "sun.nio.ch.SocketChannelImpl", "sun.nio.ch.SocketAdaptor")) {
                return "It waits in an unpatched socket: Monkey.patchSocket() (greenlet.monkey.patch-socket=true),"
                        + " or the carrier engine (Monkey.patchAll(), greenlet.monkey.patch-all=true), under which every"
                        + " socket, lock and pool wait is cooperative.";
            }
            if (stack.size() > 0 && isThreadSleep(stack)) {
                return "It calls Thread.sleep, which keeps the permit: use Gevent.sleep(...), or the carrier engine"
                        + " (Monkey.patchAll(), greenlet.monkey.patch-all=true), under which Thread.sleep is cooperative.";
            }
            if (state == Thread.State.BLOCKED || state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING) {
                return "It waits on a lock, a pool or a future, which keeps the permit (java.util.concurrent and"
                        + " synchronized cannot be patched in the permit engine); if the lock's owner is a greenlet of"
                        + " this hub waiting for its turn, the hub is deadlocked. Select the carrier engine"
                        + " (Monkey.patchAll(), greenlet.monkey.patch-all=true), where such waits are cooperative, or use"
                        + " the hub's own primitives (dev.greenlet.lock, .queue, .event) or Gevent.offload(...).";
            }
        }
        if (stack.size() > 0 && stack.get(0).isNativeMethod()) {
            return "It is in a native call (" + stack.get(0) + "), which blocks without parking:"
                    + " run it through Gevent.offload(...).";
        }
        if (has(stack, "org.apache.commons.pool2.impl.GenericObjectPool")) {
            return "It spins in commons-pool2 (a pool with maxWait=-1 busy-waits while another greenlet creates an"
                    + " object): configure a bounded max-wait (for Jedis: spring.data.redis.jedis.pool.max-wait).";
        }
        if (!permit && (state == Thread.State.BLOCKED || state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING)) {
            return "It waits without releasing the carrier (a pinned wait: a native frame on its stack,"
                    + " or a class initialiser): run the call through Gevent.offload(...).";
        }
        return "It computes or busy-waits without a cooperative point (virtual threads are not preempted):"
                + " call Gevent.sleep(0) inside long computations, or run them through Gevent.offload(...).";
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
     * Permit engine: the greenlet of {@code hub} that owns the monitor or lock that
     * {@code holder} (which holds the permit) waits for, if it is one that cannot go on without
     * the permit; else null (no deadlock, or the owner cannot be told).
     */
    static Greenlet<?> deadlockPartner(Hub hub, Greenlet<?> holder) {
        Thread t = holder.thread();
        if (t == null) {
            return null;
        }
        Thread.State state = t.getState();
        long ownerId = -1;
        if (state == Thread.State.BLOCKED) {
            ownerId = monitorOwnerId(t);
        } else if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING) {
            Thread owner = synchronizerOwner(LockSupport.getBlocker(t));
            ownerId = owner == null ? -1 : owner.threadId();
        }
        if (ownerId < 0) {
            return null;
        }
        for (Greenlet<?> g : hub.greenlets()) {
            Thread gt = g.thread();
            if (g != holder && gt != null && gt.threadId() == ownerId && !g.isOffloaded()) {
                return g; // it needs the permit to go on, and the holder will not give it up
            }
        }
        return null;
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

    /** The id of the thread owning the monitor {@code blocked} waits to enter, from the JDK's JSON thread dump; -1 if unknown. */
    private static long monitorOwnerId(Thread blocked) {
        Path file = null;
        try {
            file = Files.createTempFile("greenlet-threads", ".json");
            Files.delete(file);
            com.sun.management.HotSpotDiagnosticMXBean bean =
                    ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            bean.dumpThreads(file.toString(), com.sun.management.HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            String json = Files.readString(file);
            String[] threads = json.split("\"tid\": \"");
            String lock = null;
            String blockedTid = Long.toString(blocked.threadId());
            for (String chunk : threads) {
                if (chunk.startsWith(blockedTid + "\"")) {
                    lock = stringAfter(chunk, "\"blockedOn\": \"");
                }
            }
            if (lock == null) {
                return -1;
            }
            for (String chunk : threads) {
                int owned = chunk.indexOf("\"monitorsOwned\"");
                if (owned >= 0 && chunk.indexOf("\"" + lock + "\"", owned) >= 0) {
                    return Long.parseLong(chunk.substring(0, chunk.indexOf('"')));
                }
            }
            return -1;
        } catch (Exception | LinkageError unavailable) {
            return -1; // an older JDK without lock information in its dump, or no jdk.management
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (Exception ignored) {
                    // a temporary file left behind is harmless
                }
            }
        }
    }

    private static String stringAfter(String s, String key) {
        int i = s.indexOf(key);
        if (i < 0) {
            return null;
        }
        int start = i + key.length();
        int end = s.indexOf('"', start);
        return end < 0 ? null : s.substring(start, end);
    }
}
