package dev.greenlet;

import dev.greenlet.internal.Exceptions;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Kill delivery for one greenlet, end to end (docs/ARCHITECTURE.md, protocols P2 and P3): the
 * pending throw, the interrupt of a foreign wait, the landing at a cooperative point or at the
 * end, the withdrawal of a {@link Timeout} that closed in time. Every other class asks this one;
 * none writes its fields. A greenlet gets one on its first kill or timeout
 * ({@link Greenlet#killDelivery()}), so the many that are never killed carry none.
 *
 * <p>How it works. {@link #raise} writes {@code pending}, then reads the greenlet's
 * {@code waiter}; {@code Hub.await} writes {@code waiter}, then reads {@code pending}; both are
 * volatile, so one side sees the other (invariant 6): a library wait in progress is resolved
 * {@code INTERRUPTED}, otherwise the engine is asked to interrupt a foreign wait
 * ({@link HubEngine#interruptForeignWait}), which lands here in {@link #interruptOffload}
 * (permit engine) or {@link #interruptForKill} (carrier engine) and is recorded in
 * {@code interrupted}. Landing, withdrawal and the greenlet's end clear that interrupt again,
 * so it never outlives the kill it delivered.
 *
 * <p>Locking: {@code pending} is written by CAS (a kill overwrites; a timeout only if nothing
 * is pending). {@code interrupted} is written under this object's monitor, which no user code
 * can hold (a greenlet's own monitor it can, so that is never used here), except by the
 * carrier engine's {@link #interruptForKill}, which runs on the carrier between turns and so
 * never at the same time as anything else that writes it.
 */
final class KillDelivery {

    private static final VarHandle PENDING;
    static {
        try {
            PENDING = MethodHandles.lookup().findVarHandle(KillDelivery.class, "pending", Throwable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Greenlet<?> greenlet;
    private volatile Throwable pending;          // a kill or timeout to raise at the next cooperative point
    private volatile Throwable requested;        // what kill() made pending last: it lands at the end at the latest
    private volatile boolean interrupted;        // a kill or timeout interrupted the greenlet's thread (see the class comment)
    volatile boolean urgent;                     // killUrgently()'s kill is pending: set by it, cleared when that kill lands;
                                                 //   read by the engines (P3)

    KillDelivery(Greenlet<?> greenlet) {
        this.greenlet = greenlet;
    }

    /** Whether a kill or timeout is pending. */
    boolean hasPending() {
        return pending != null;
    }

    /** The pending throwable if a kill (not a Timeout) put it there, else null: what lands at the end. */
    Throwable pendingKill() {
        Throwable t = pending;
        return t != null && t == requested ? t : null;
    }

    /**
     * Makes {@code ex} pending and interrupts the greenlet's current wait.
     *
     * @param overwrite whether to replace a pending exception (a kill does; a timeout does not
     *                  displace a kill or an earlier timeout)
     */
    void raise(Throwable ex, boolean overwrite) {
        if (overwrite) {
            requested = ex;
            pending = ex;
        } else if (!PENDING.compareAndSet(this, null, ex)) {
            return;
        }
        Waiter w = greenlet.waiter;
        if (w != null) {
            w.interrupt();
        } else {
            greenlet.hub.engine.interruptForeignWait(greenlet);
        }
    }

    /** At a cooperative point, on the greenlet's own thread: throws the pending kill or timeout, if any. */
    void land() {
        Throwable t = pending;
        if (t != null && PENDING.compareAndSet(this, t, null)) {
            clearInterrupt();
            if (t == requested) {
                // Delivered: from here its turns are ordinary again, so a greenlet that survives
                // its kill (it catches GreenletExit) cannot take the hub's turns for ever.
                urgent = false;
            }
            if (t instanceof GreenletExit || t instanceof Timeout) {
                t.fillInStackTrace(); // show where it landed, not where it was made
            }
            throw Exceptions.sneakyThrow(t);
        }
    }

    /** Withdraws {@code ex} if it is still pending (a Timeout closed before it landed); true if it was. */
    boolean withdraw(Throwable ex) {
        if (PENDING.compareAndSet(this, ex, null)) {
            clearInterrupt();
            return true;
        }
        return false;
    }

    /**
     * Withdraws {@code ex} if it is still pending and was delivered by interrupting a foreign
     * wait (so a library turned it into an exception of its own); true if so.
     */
    boolean withdrawDeliveredByInterrupt(Throwable ex) {
        synchronized (this) {
            if (!interrupted || pending != ex) {
                return false;
            }
        }
        return withdraw(ex);
    }

    /** Permit engine: interrupts the greenlet's offloaded call, once. */
    void interruptOffload() {
        if (greenlet.isOffloaded()) {
            synchronized (this) {
                // Greenlet.endOffload clears the offloading flag, then this interrupt under this
                // monitor: an interrupt sent here is always cleared again.
                if (greenlet.isOffloaded() && !interrupted) {
                    interrupted = true;
                    greenlet.strand.thread().interrupt();
                }
            }
        }
    }

    /**
     * Carrier engine: interrupts the wait the greenlet's thread is parked in. Called on the
     * carrier between turns, with no monitor (see the class comment); again at every foreign
     * wait while the kill is pending, so a library that swallows the interrupt and waits again
     * gets it again.
     */
    void interruptForKill() {
        Thread t = greenlet.strand.thread();
        interrupted = true;
        if (t != null && !t.isInterrupted()) {
            t.interrupt();
        }
    }

    /** Clears the interrupt a kill or timeout sent, once it has landed or the call it ended returned. */
    void clearInterrupt() {
        boolean clear;
        synchronized (this) {
            clear = interrupted;
            interrupted = false;
        }
        if (clear && Thread.currentThread() == greenlet.strand.thread()) {
            Thread.interrupted();
        }
    }

    /** The greenlet's end: nothing stays pending. */
    void clearAtEnd() {
        pending = null;
    }
}
