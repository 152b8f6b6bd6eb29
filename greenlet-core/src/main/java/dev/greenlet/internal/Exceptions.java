package dev.greenlet.internal;

import java.util.concurrent.CompletionException;

/**
 * The library's one rule for handing a stored failure to a caller: unchecked exceptions and
 * errors as they are, checked ones wrapped in a {@link CompletionException} with the original as
 * cause. {@code Greenlet.get()}, {@code AsyncResult.get()}, {@code Gevent.joinall},
 * {@code Group.join} and {@code imap} all follow it. Not API: for the library's own packages.
 *
 * <p>Besides it, {@link #sneakyThrow} throws any throwable as it is: for a kill's or a
 * {@code Timeout}'s exception, which must land as the exact object that was raised.
 */
public final class Exceptions {

    private Exceptions() {
    }

    /** Throws {@code e} by the rule above; declared to return so callers can write {@code throw rethrow(e)}. */
    public static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        throw new CompletionException(e);
    }

    /**
     * Throws {@code t} as it is, checked or not, without declaring it (the library's one
     * "sneaky throw"); declared to return so callers can write {@code throw sneakyThrow(t)}.
     */
    public static RuntimeException sneakyThrow(Throwable t) {
        throw Exceptions.<RuntimeException>throwAs(t);
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E throwAs(Throwable t) throws E {
        throw (E) t;
    }
}
