package dev.greenlet.diagnostics;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import dev.greenlet.event.Event;
import dev.greenlet.lock.RLock;
import dev.greenlet.lock.Semaphore;
import dev.greenlet.queue.Queue;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.locks.AbstractOwnableSynchronizer;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * A snapshot of one live greenlet, for run-info dumps (gevent's {@code gevent.util.format_run_info})
 * and the Actuator endpoint: {@link #runInfo(Hub)} takes one of every live greenlet of a hub,
 * {@link #formatRunInfo(Hub)} writes them as text. As in gevent, run-info is a utility beside the
 * hub, not a method of it: the hub reports raw facts ({@link Hub#activities()}), this package
 * says them in words.
 *
 * @param id        the greenlet's id
 * @param name      its name
 * @param state     what it is doing
 * @param waitingOn what it waits for, in words (see {@link #describeWait}), or null
 * @param spawnedBy the greenlet that spawned it, or null (spawned from a plain thread or collected)
 * @param stack     its stack, innermost frame first; empty before its first turn
 */
public record GreenletInfo(long id, String name, Hub.GreenletState state, String waitingOn, String spawnedBy,
        List<StackTraceElement> stack) {

    /**
     * A snapshot of every live greenlet of {@code hub}: its state, what it waits on in words, who
     * spawned it and its stack. Not a consistent cut: greenlets keep running while it is taken.
     */
    public static List<GreenletInfo> runInfo(Hub hub) {
        List<GreenletInfo> infos = new java.util.ArrayList<>();
        for (Hub.Activity a : hub.activities()) {
            Greenlet<?> g = a.greenlet();
            Thread t = a.thread();
            List<StackTraceElement> stack = t == null ? List.of() : List.of(t.getStackTrace());
            String on = switch (a.state()) {
                case SLEEPING -> describeSleep(a.wakeAtNanos());
                case WAITING -> {
                    String d = describeWait(a.blocker(), stack);
                    yield d == null && a.foreignWait() && t != null ? "a blocking call (" + t.getState() + ")" : d;
                }
                default -> null;
            };
            Greenlet<?> spawner = g.spawningGreenlet();
            infos.add(new GreenletInfo(g.id(), g.name(), a.state(), on, spawner == null ? null : spawner.toString(), stack));
        }
        return infos;
    }

    /** {@link #runInfo(Hub)} as text: a header line, then each greenlet with its stack (gevent's {@code format_run_info}). */
    public static String formatRunInfo(Hub hub) {
        List<GreenletInfo> infos = runInfo(hub);
        StringBuilder sb = new StringBuilder();
        sb.append("Hub '").append(hub.name()).append("': ").append(infos.size()).append(" live greenlet(s), ")
                .append(hub.switchCount()).append(" switches").append(hub.isClosed() ? ", closed" : "").append('\n');
        for (GreenletInfo info : infos) {
            sb.append(info.format());
        }
        return sb.toString();
    }


    /**
     * The innermost frame of the application on the stack: not the JDK's, this library's or a
     * framework's it runs on (Spring, HikariCP, Tomcat, Jetty, drivers...); null if none.
     */
    public StackTraceElement applicationFrame() {
        return Frames.firstApplicationFrame(stack);
    }

    /** One line: id, name, state, what it waits for, where in the application, who spawned it. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append('#').append(id).append(" \"").append(name).append("\" ").append(state);
        if (waitingOn != null) {
            sb.append(" on ").append(waitingOn);
        }
        StackTraceElement at = applicationFrame();
        if (at != null) {
            sb.append(" at ").append(at);
        }
        if (spawnedBy != null) {
            sb.append(", spawned by ").append(spawnedBy);
        }
        return sb.toString();
    }

    /** {@link #summary()} and the stack, a frame a line. */
    public String format() {
        StringBuilder sb = new StringBuilder(summary()).append('\n');
        for (StackTraceElement e : stack) {
            sb.append("    at ").append(e).append('\n');
        }
        return sb.toString();
    }

    /**
     * What a greenlet waits for, in words, from the object of its wait (a library primitive's
     * waiter, or the park blocker of its thread, may be null) and its stack: a pooled connection
     * (HikariCP, commons-pool2...), a socket read or write, a lock and its owner where the JVM
     * lets it be read, {@code Thread.sleep}, {@code Object.wait}, a future; for the library's own
     * waits, the event, queue, semaphore, lock or greenlet.
     */
    public static String describeWait(Object blocker, List<StackTraceElement> stack) {
        String pool = pool(stack);
        if (pool != null) {
            return pool;
        }
        if (blocker instanceof Greenlet<?> g) {
            return "greenlet \"" + g.name() + "\" #" + g.id() + " to end";
        }
        if (blocker instanceof Event e) {
            return "an Event (" + (e.isSet() ? "set" : "not set") + ")";
        }
        if (blocker instanceof Semaphore s) {
            return "a " + s.getClass().getSimpleName() + " (" + s.counter() + " free)";
        }
        if (blocker instanceof Queue<?> q) {
            return "a " + q.getClass().getSimpleName() + " (" + q.size()
                    + (q.maxsize() == Integer.MAX_VALUE ? "" : "/" + q.maxsize()) + " items)";
        }
        if (blocker instanceof RLock) {
            return "an " + blocker;
        }
        for (StackTraceElement e : stack) {
            String c = e.getClassName();
            String m = e.getMethodName();
            if (c.startsWith("sun.nio.ch.") && (m.contains("read") || m.contains("Read") || m.equals("park") && isSocket(stack))) {
                return "a socket read (" + e + ")";
            }
            if (c.startsWith("sun.nio.ch.") && (m.contains("write") || m.contains("Write"))) {
                return "a socket write (" + e + ")";
            }
            if (c.startsWith("sun.nio.ch.") && m.contains("accept")) {
                return "a socket accept";
            }
            if (c.startsWith("sun.nio.ch.") && m.contains("connect")) {
                return "a socket connect";
            }
            if (c.equals("java.lang.Thread") && m.startsWith("sleep")) {
                return "Thread.sleep";
            }
            if (c.equals("java.lang.Object") && m.startsWith("wait")) {
                return "Object.wait (a monitor's condition)";
            }
        }
        if (blocker instanceof AbstractQueuedSynchronizer || blocker instanceof AbstractOwnableSynchronizer) {
            String owner = ownerName(blocker);
            return "a lock (" + lockName(blocker) + (owner != null ? ", owned by " + owner : "") + ")";
        }
        if (blocker instanceof Future<?>) {
            return "a " + blocker.getClass().getSimpleName();
        }
        if (blocker != null) {
            String s = String.valueOf(blocker);
            return s.length() > 120 ? s.substring(0, 120) + "..." : s;
        }
        return null;
    }

    /**
     * A greenlet's sleep, in words: until when (UTC, to the millisecond) and how long is left,
     * from its deadline (a {@link System#nanoTime} value; 0 for {@link Gevent#idle}, which has none).
     */
    public static String describeSleep(long deadlineNanos) {
        if (deadlineNanos == 0) {
            return "an idle wait (no deadline)";
        }
        long left = deadlineNanos - System.nanoTime();
        java.time.Instant until = java.time.Instant.now().plusNanos(left).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        return "a sleep until " + until + " (" + Math.max(0, left / 1_000_000) + " ms left)";
    }

    private static boolean isSocket(List<StackTraceElement> stack) {
        for (StackTraceElement e : stack) {
            if (e.getClassName().contains("Socket")) {
                return true;
            }
        }
        return false;
    }

    private static String pool(List<StackTraceElement> stack) {
        for (StackTraceElement e : stack) {
            String c = e.getClassName();
            if (c.startsWith("com.zaxxer.hikari.")) {
                return "a pooled connection (HikariCP, " + e.getClassName().substring(e.getClassName().lastIndexOf('.') + 1)
                        + "." + e.getMethodName() + ")";
            }
            if (c.startsWith("org.apache.commons.pool2.")) {
                return "a pooled object (commons-pool2)";
            }
            if (c.startsWith("org.apache.tomcat.jdbc.pool.")) {
                return "a pooled connection (Tomcat JDBC pool)";
            }
        }
        return null;
    }

    private static String lockName(Object sync) {
        Class<?> c = sync.getClass();
        Class<?> outer = c.getEnclosingClass();
        return (outer != null ? outer : c).getSimpleName();
    }

    private static String ownerName(Object sync) {
        try {
            java.lang.reflect.Method m = AbstractOwnableSynchronizer.class.getDeclaredMethod("getExclusiveOwnerThread");
            m.setAccessible(true);
            Thread t = (Thread) m.invoke(sync);
            if (t == null) {
                return null;
            }
            return t.getName().isEmpty() ? "thread #" + t.threadId() : "\"" + t.getName() + "\"";
        } catch (ReflectiveOperationException | RuntimeException notOpen) {
            return null; // needs --add-opens java.base/java.util.concurrent.locks=ALL-UNNAMED
        }
    }
}
