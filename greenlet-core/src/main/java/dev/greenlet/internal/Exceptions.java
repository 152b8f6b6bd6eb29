package dev.greenlet.internal;

import java.util.concurrent.CompletionException;

/**
 * The library's one rule for handing a stored failure to a caller: unchecked exceptions and
 * errors as they are, checked ones wrapped in a {@link CompletionException} with the original as
 * cause. {@code Greenlet.get()}, {@code AsyncResult.get()}, {@code Gevent.joinall},
 * {@code Group.join} and {@code imap} all follow it. Not API: for the library's own packages.
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
}
