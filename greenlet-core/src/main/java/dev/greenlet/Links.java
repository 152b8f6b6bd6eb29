package dev.greenlet;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * What runs when one greenlet dies: its joiners' {@link Waiter}s, raw links (plumbing: futures,
 * wait sets) and user links ({@link Greenlet#link}). A greenlet owns one; {@link #add} before
 * the death keeps a link, {@link #takeAll} at the death hands every kept waiter and raw link
 * over exactly once, and {@link #add} after it refuses (the caller then runs the link itself).
 * User links stay here after the death and are handed over one at a time by
 * {@link #pollUserLink}, so that a {@link #remove} while the dying greenlet runs its links still
 * removes those not called yet, as gevent's {@code unlink} does.
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

    private Object links;    // guarded by this: null, one link, or an ArrayList of them; after takeAll(), the user links not run yet
    private boolean taken;   // guarded by this: takeAll() ran: the greenlet is dead
    private boolean userLinksLeft; // written by takeAll(), read by its caller after it (see userLinksLeft())

    /** Keeps {@code link}; false (and nothing kept) if the greenlet is already dead. */
    synchronized boolean add(Object link) {
        return add(link, false);
    }

    private boolean add(Object link, boolean afterDeath) {
        if (taken && !afterDeath) {
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

    /**
     * At the greenlet's death: every kept waiter and raw link, in the order added, as null
     * (none), the one link itself, or a list of them; the user links stay for
     * {@link #pollUserLink}. Later adds are refused. (No list for the common single joiner: a
     * spawn + join of many greenlets does this once per greenlet.)
     */
    synchronized Object takeAll() {
        taken = true;
        Object ls = links;
        links = null;
        if (!(ls instanceof ArrayList<?> list)) {
            if (ls instanceof UserLink) {
                links = ls;
                userLinksLeft = true;
                return null;
            }
            return ls;
        }
        List<Object> handed = new ArrayList<>(list.size());
        for (Object l : list) {
            if (l instanceof UserLink) {
                add(l, true); // into a new list: links is null here, so list is not touched
                userLinksLeft = true;
            } else {
                handed.add(l);
            }
        }
        return handed;
    }

    /**
     * Whether {@link #takeAll} left user links for {@link #pollUserLink}; for the thread that
     * called {@code takeAll}, after it (no lock: after the death links are only removed, so
     * false stays false). Spares the dying greenlet a lock when nothing but joiners was linked.
     */
    boolean userLinksLeft() {
        return userLinksLeft;
    }

    /** After {@link #takeAll}: the first user link not yet handed over or removed, or null. */
    synchronized UserLink pollUserLink() {
        if (links instanceof ArrayList<?> list) {
            return list.isEmpty() ? null : (UserLink) list.remove(0);
        }
        Object l = links;
        links = null;
        return (UserLink) l;
    }
}
