package dev.greenlet.queue;

/** A put found the queue full: {@code putNowait}, or a timed {@code put} whose time ran out (gevent's {@code queue.Full}). */
public class Full extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** With a message naming the operation and the queue. */
    public Full(String message) {
        super(message);
    }
}
