package dev.greenlet;

import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A value per greenlet (gevent's {@code local}); on a plain thread, a value per thread.
 *
 * <pre>{@code
 * static final GreenletLocal<String> REQUEST_ID = GreenletLocal.withInitial(() -> "none");
 * spawn(() -> { REQUEST_ID.set(id); handle(); });   // handle() sees this greenlet's id
 * }</pre>
 *
 * <p>A spawned greenlet does not see its spawner's value: it starts from the initial value, as
 * in gevent, where each greenlet has its own {@code local} dict. Inheriting would share one
 * mutable value between greenlets that run interleaved and may outlive each other; pass what a
 * greenlet needs when you spawn it (Spring's {@code TaskDecorator} does that for the starter).
 * The values live on the greenlet and go away with it.
 *
 * @param <T> the type of the value
 */
public class GreenletLocal<T> {

    private final Supplier<? extends T> initial;
    private final ThreadLocal<T> onThreads;

    /** A local whose initial value is null. */
    public GreenletLocal() {
        this(() -> null);
    }

    private GreenletLocal(Supplier<? extends T> initial) {
        this.initial = Objects.requireNonNull(initial, "initial");
        this.onThreads = ThreadLocal.withInitial(initial);
    }

    /** A local whose initial value, in each greenlet or thread, comes from {@code initial}. */
    public static <T> GreenletLocal<T> withInitial(Supplier<? extends T> initial) {
        return new GreenletLocal<>(initial);
    }

    /** The calling greenlet's value (the calling thread's on a plain thread). */
    @SuppressWarnings("unchecked")
    public T get() {
        Greenlet<?> g = Greenlet.current();
        if (g == null) {
            return onThreads.get();
        }
        IdentityHashMap<GreenletLocal<?>, Object> map = g.locals;
        if (map == null) {
            map = g.locals = new IdentityHashMap<>(4);
        }
        if (map.containsKey(this)) {
            return (T) map.get(this);
        }
        T value = initial.get();
        map.put(this, value);
        return value;
    }

    /** Sets the calling greenlet's (or thread's) value. */
    public void set(T value) {
        Greenlet<?> g = Greenlet.current();
        if (g == null) {
            onThreads.set(value);
            return;
        }
        if (g.locals == null) {
            g.locals = new IdentityHashMap<>(4);
        }
        g.locals.put(this, value);
    }

    /** Forgets the calling greenlet's (or thread's) value; the next get starts from the initial value. */
    public void remove() {
        Greenlet<?> g = Greenlet.current();
        if (g == null) {
            onThreads.remove();
        } else if (g.locals != null) {
            g.locals.remove(this);
        }
    }
}
