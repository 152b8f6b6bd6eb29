package dev.greenlet.select;

import dev.greenlet.Gevent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A cooperative {@code select} over NIO channels (gevent's {@code select.select}): waits until
 * some channels are ready to read or write, or until the timeout, while the hub's other
 * greenlets run.
 *
 * <pre>{@code
 * Select.Ready ready = Select.select(List.of(serverChannel), List.of(), Duration.ofSeconds(2));
 * Select.select(List.of(), List.of(), Duration.ofSeconds(2));   // a cooperative 2 s sleep
 * }</pre>
 *
 * <p>Java has no process-wide {@code select} function for the monkey patch to replace: this is
 * the cooperative replacement for a {@link Selector} loop. The wait is a cooperative point; a
 * kill or {@link dev.greenlet.Timeout} of the caller ends it at once. On a plain thread it
 * blocks.
 *
 * <p>Implementation overview: each call opens a {@link Selector}, registers the channels, and
 * waits in it through {@link Gevent#offload}, so the hub's turn is free meanwhile; a kill interrupts
 * the offloaded thread, which wakes the selector. Closing the selector deregisters the channels.
 */
public final class Select {

    private Select() {
    }

    /** The channels found ready, each list in the order given. */
    public record Ready(List<SelectableChannel> readable, List<SelectableChannel> writable) {
        /** Whether nothing was ready (the timeout passed). */
        public boolean isEmpty() {
            return readable.isEmpty() && writable.isEmpty();
        }
    }

    /**
     * Waits until at least one channel is ready, or {@code timeout} (null: no limit) passes, and
     * returns those that are ready. "Readable" includes a server channel with a connection to
     * accept; "writable" includes a client channel whose connect can be finished. With no
     * channels at all it is a cooperative sleep of {@code timeout}.
     *
     * @throws IllegalArgumentException if a channel is in blocking mode (call
     *         {@code configureBlocking(false)} first), or if there are no channels and no timeout:
     *         that would block forever
     */
    public static Ready select(Collection<? extends SelectableChannel> readable,
            Collection<? extends SelectableChannel> writable, Duration timeout) {
        Objects.requireNonNull(readable, "readable");
        Objects.requireNonNull(writable, "writable");
        if (timeout != null && timeout.isNegative()) {
            throw new IllegalArgumentException("select timeout must not be negative, got " + timeout);
        }
        if (readable.isEmpty() && writable.isEmpty()) {
            if (timeout == null) {
                throw new IllegalArgumentException("select with no channels and no timeout: this operation would block forever");
            }
            Gevent.sleep(timeout);
            return new Ready(List.of(), List.of());
        }
        Map<SelectableChannel, Integer> interest = new LinkedHashMap<>();
        for (SelectableChannel c : readable) {
            interest.merge(Objects.requireNonNull(c, "channel"), readOps(c), (a, b) -> a | b);
        }
        for (SelectableChannel c : writable) {
            interest.merge(Objects.requireNonNull(c, "channel"), writeOps(c), (a, b) -> a | b);
        }
        try (Selector selector = Selector.open()) {
            for (Map.Entry<SelectableChannel, Integer> e : interest.entrySet()) {
                try {
                    e.getKey().register(selector, e.getValue());
                } catch (IllegalBlockingModeException blocking) {
                    throw new IllegalArgumentException("select needs non-blocking channels: call configureBlocking(false) on "
                            + e.getKey(), blocking);
                }
            }
            long millis = timeout == null ? 0 : Math.max(1, timeout.toMillis());
            boolean zero = timeout != null && timeout.isZero();
            Gevent.offload(() -> zero ? selector.selectNow() : selector.select(millis));
            List<SelectableChannel> r = new ArrayList<>();
            List<SelectableChannel> w = new ArrayList<>();
            for (SelectableChannel c : readable) {
                SelectionKey k = c.keyFor(selector);
                if (k != null && k.isValid() && (k.readyOps() & readOps(c)) != 0 && selector.selectedKeys().contains(k)) {
                    r.add(c);
                }
            }
            for (SelectableChannel c : writable) {
                SelectionKey k = c.keyFor(selector);
                if (k != null && k.isValid() && (k.readyOps() & writeOps(c)) != 0 && selector.selectedKeys().contains(k)) {
                    w.add(c);
                }
            }
            return new Ready(List.copyOf(r), List.copyOf(w));
        } catch (IOException e) {
            throw new UncheckedIOException("select failed", e);
        }
    }

    private static int readOps(SelectableChannel c) {
        return c.validOps() & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT);
    }

    private static int writeOps(SelectableChannel c) {
        return c.validOps() & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT);
    }
}
