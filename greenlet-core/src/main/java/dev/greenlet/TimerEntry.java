package dev.greenlet;

/**
 * A node of a {@link TimerQueue}: something that happens at a deadline of that queue's clock
 * ({@link System#nanoTime}, or a hub's virtual time) (a sleep ends, a {@link Timeout} fires, a {@code spawnLater} greenlet starts).
 * Fields are guarded by the timer queue's lock.
 */
abstract class TimerEntry {
    long deadline;      // the queue's now() at which to fire
    long sequence;      // tie-break: timers with equal deadlines fire in the order they were added
    int heapIndex = -1; // position in the queue's heap, -1 when not queued

    /** Runs on the timer thread (or a virtual clock's), outside the queue's lock; must be quick and must not block. */
    abstract void fire();
}
