package dev.greenlet;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * What runs when one greenlet dies: its joiners' {@link Waiter}s, raw links (plumbing: futures,
 * wait sets) and user links ({@link Greenlet#link}). A greenlet owns one; {@link #add} before
 * the death keeps a link, {@link #takeAll} at the death hands every kept link over exactly
 * once, and {@link #add} after it refuses (the caller then runs the link itself).
 *
 * <p>Implementation overview: guarded by this object's monitor; the common cases, no link or
 * a single joiner, store the link itself rather than a list.
 */
final class Links {

    /** When a user link runs. */
    enum When {
        ALWAYS, ON_VALUE, ON_EXCEPTION
    }

    /** A callback linked with {@link Greenlet#link}, {@code linkValue} or {@code linkException}. */
    record UserLink(Consumer<? super Greenlet<?>> callback, When when) {

        /** Runs the callback for the dead {@code g} if its outcome matches; a failure goes to the hub. */
        void runFor(Greenlet<?> g) {
            if ((when == When.ON_VALUE && !g.isSuccessful()) || (when == When.ON_EXCEPTION && g.isSuccessful())) {
                return;
            }
            try {
                callback.accept(g);
            } catch (Throwable t) {
                if (!(t instanceof GreenletExit)) {
                    g.hub.reportError(g, new IllegalStateException("link " + callback + " of " + g + " failed", t));
                }
            }
        }
    }

    /** A callback linked with {@link Greenlet#rawlink}. */
    record RawLink(Runnable callback) {

        /** Runs the callback on the calling thread; a failure goes to the hub of {@code g}. */
        void runFor(Greenlet<?> g) {
            try {
                callback.run();
            } catch (Throwable t) {
                g.hub.reportError(g, new IllegalStateException("rawlink callback " + callback + " of " + g + " failed", t));
            }
        }
    }

    /** The links of a greenlet that died before anything was linked to it: refuses every add. */
    static final Links NONE_TAKEN = new Links();
    static {
        NONE_TAKEN.takeAll();
    }

    private Object links;    // guarded by this: null, one link, or an ArrayList of them
    private boolean taken;   // guarded by this: takeAll() ran: the greenlet is dead

    /** Keeps {@code link}; false (and nothing kept) if the greenlet is already dead. */
    synchronized boolean add(Object link) {
        if (taken) {
            return false;
        }
        if (links == null) {
            links = link;
        } else if (links instanceof ArrayList<?>) {
            @SuppressWarnings("unchecked")
            ArrayList<Object> list = (ArrayList<Object>) links;
            list.add(link);
        } else {
            ArrayList<Object> list = new ArrayList<>(4);
            list.add(links);
            list.add(link);
            links = list;
        }
        return true;
    }

    /** Removes the first kept link that {@code which} accepts, if it was not handed over yet. */
    synchronized void remove(Predicate<Object> which) {
        if (links instanceof ArrayList<?> list) {
            for (int i = 0; i < list.size(); i++) {
                if (which.test(list.get(i))) {
                    list.remove(i);
                    return;
                }
            }
        } else if (links != null && which.test(links)) {
            links = null;
        }
    }

    /** At the greenlet's death: every kept link, in the order added; later adds are refused. */
    @SuppressWarnings("unchecked")
    synchronized List<Object> takeAll() {
        taken = true;
        Object ls = links;
        links = null;
        if (ls == null) {
            return List.of();
        }
        return ls instanceof ArrayList<?> list ? (List<Object>) list : List.of(ls);
    }
}
