package dev.greenlet.internal;

import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * The library's one adapter from {@link Runnable} to {@link Callable}, and its one way to call
 * a {@code Callable} from code that declares no checked exception. Not API: for the library's
 * own packages.
 */
public final class Callables {

    private Callables() {
    }

    /** {@code fn} as a {@code Callable} whose value is null; its {@code toString()} is {@code fn}'s. */
    public static Callable<Void> of(Runnable fn) {
        Objects.requireNonNull(fn, "fn: the code to run");
        return new Callable<>() {
            @Override
            public Void call() {
                fn.run();
                return null;
            }

            @Override
            public String toString() {
                return fn.toString();
            }
        };
    }

    /** Calls {@code fn}; its exception is rethrown by {@link Exceptions#rethrow}'s rule. */
    public static <T> T call(Callable<? extends T> fn) {
        try {
            return fn.call();
        } catch (Exception e) {
            throw Exceptions.rethrow(e);
        }
    }
}
