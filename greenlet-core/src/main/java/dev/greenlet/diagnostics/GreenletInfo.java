package dev.greenlet.diagnostics;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.Hub;

import java.util.List;

/**
 * A snapshot of one live greenlet, for run-info dumps (gevent's {@code format_run_info}) and the
 * Actuator endpoint. See {@link Hub#runInfo()}.
 *
 * @param id        the greenlet's id
 * @param name      its name
 * @param state     what it is doing
 * @param waitingOn what it waits on (an event, a queue, a greenlet, its hub for a sleep), or null
 * @param spawnedBy the greenlet that spawned it, or null (spawned from a plain thread or collected)
 * @param stack     its stack, innermost frame first; empty before its first turn
 */
public record GreenletInfo(long id, String name, State state, String waitingOn, String spawnedBy,
        List<StackTraceElement> stack) {

    /** What a live greenlet is doing. */
    public enum State {
        /** It holds the run permit. */
        RUNNING,
        /** It waits for its turn in the ready queue (or has not had its first turn yet). */
        READY,
        /** It waits in {@link Gevent#sleep} or {@link Gevent#idle}. */
        SLEEPING,
        /** It waits on an object: a greenlet, an event, a lock, a queue. */
        WAITING,
        /** It runs a blocking call in {@link Gevent#offload}, without the permit. */
        OFFLOADED
    }

    /** A few lines of text: the greenlet, its state, and its stack. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append("<Greenlet \"").append(name).append("\" #").append(id).append("> ").append(state);
        if (waitingOn != null) {
            sb.append(" on ").append(waitingOn);
        }
        if (spawnedBy != null) {
            sb.append(", spawned by ").append(spawnedBy);
        }
        sb.append('\n');
        for (StackTraceElement e : stack) {
            sb.append("    at ").append(e).append('\n');
        }
        return sb.toString();
    }
}
