package dev.greenlet;

/**
 * What {@link Greenlet#kill()} raises in the greenlet it kills (gevent's {@code GreenletExit}).
 *
 * <p>A greenlet that ends with it counts as successful and is not reported to the hub's error
 * handler, as in gevent. It is an {@link Error}, not an {@link Exception}, for the reason gevent
 * makes it a {@code BaseException}: so that {@code catch (Exception e)} in user code does not
 * swallow a kill ({@link ThreadDeath} was the Java precedent). Catch it only to clean up, and
 * rethrow it. Its stack trace shows the cooperative point where the kill landed.
 */
public class GreenletExit extends Error {

    private static final long serialVersionUID = 1L;

    /** A kill with no message. */
    public GreenletExit() {
        super("greenlet killed");
    }

    /** A kill with a message. */
    public GreenletExit(String message) {
        super(message);
    }
}
