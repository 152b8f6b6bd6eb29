package dev.greenlet.queue;

/** A get found the queue empty: {@code getNowait}, or a timed {@code get} whose time ran out (gevent's {@code queue.Empty}). */
public class Empty extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** With a message naming the operation and the queue. */
    public Empty(String message) {
        super(message);
    }
}
