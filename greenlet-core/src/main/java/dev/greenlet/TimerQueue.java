package dev.greenlet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The clock and timers of the hubs on real time (a hub on virtual time has a
 * {@link VirtualClock}, this class without the thread): a binary min-heap ordered by (deadline, sequence) and one daemon
 * platform thread that fires what is due.
 *
 * <p>Implementation overview. Like libev's timer heap under gevent, one structure holds every
 * deadline, so timers fire in deadline order and timers with equal deadlines fire in the
 * order they were added, however late the thread gets to them: two greenlets that sleep 1 ms
 * and 2 ms wake in that order even if their hub was stalled for 10 ms (docs/ARCHITECTURE.md invariant 2, protocol P4).
 * Firing a timer only resolves a {@link Waiter} or schedules a greenlet, so the thread never
 * runs user code. The heap is indexed, so cancelling a timer (a {@code Timeout} block that ends
 * in time, a wait that is woken early) is O(log n) and leaves nothing behind. The thread is
 * started on the first timer and is signalled only when a new timer becomes the earliest.
 */
class TimerQueue implements Runnable {

    /** The clock and timers of every production hub: {@link System#nanoTime} and the thread "greenlet-timers". */
    static final TimerQueue INSTANCE = new TimerQueue();

    final ReentrantLock lock = new ReentrantLock();
    private final Condition headChanged = lock.newCondition();
    private TimerEntry[] heap = new TimerEntry[64]; // heap[0..size) ordered by (deadline, sequence)
    private int size;
    private long nextSequence;
    private Thread thread; // started lazily, guarded by lock

    TimerQueue() {
    }

    /**
     * This queue's clock: {@link System#nanoTime} here; a virtual-time hub's queue
     * ({@link VirtualClock}) overrides it. Every deadline of a hub is a value of its queue's
     * clock (docs/ARCHITECTURE.md, section 9).
     */
    long now() {
        return System.nanoTime();
    }

    /** The value of {@link #now()} {@code nanos} (not negative) from now: see {@link Deadline#saturatedAfter}. */
    final long after(long nanos) {
        return Deadline.saturatedAfter(now(), nanos);
    }

    /** Schedules {@code timer} to fire at {@code deadline} (a value of {@link #now()}). */
    void add(TimerEntry timer, long deadline) {
        lock.lock();
        try {
            if (timer.heapIndex >= 0) {
                throw new IllegalStateException("timer is already scheduled");
            }
            timer.deadline = deadline;
            timer.sequence = nextSequence++;
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            heap[size] = timer;
            timer.heapIndex = size;
            siftUp(size++);
            if (heap[0] == timer) {
                newHeadLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    /** A timer became the earliest; holding the lock. Starts or wakes the thread that fires them. */
    void newHeadLocked() {
        if (thread == null) {
            thread = Thread.ofPlatform().daemon().name("greenlet-timers").start(this);
        } else {
            headChanged.signal();
        }
    }

    /** Removes {@code timer}; true if it was still pending (so it will never fire). */
    boolean cancel(TimerEntry timer) {
        lock.lock();
        try {
            int i = timer.heapIndex;
            if (i < 0) {
                return false;
            }
            removeAt(i);
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void run() {
        List<TimerEntry> due = new ArrayList<>();
        while (true) {
            lock.lock();
            try {
                while (true) {
                    if (size == 0) {
                        headChanged.awaitUninterruptibly();
                        continue;
                    }
                    long wait = heap[0].deadline - System.nanoTime();
                    if (wait <= 0) {
                        break;
                    }
                    try {
                        headChanged.awaitNanos(wait);
                    } catch (InterruptedException e) {
                        // This thread is ours alone; nothing interrupts it on purpose. Keep going.
                    }
                }
                takeDueLocked(System.nanoTime(), due);
            } finally {
                lock.unlock();
            }
            fireAll(due);
            due.clear();
        }
    }

    /** How many timers are pending; holding the lock. */
    final int sizeLocked() {
        return size;
    }

    /** The earliest pending timer, or null; holding the lock. */
    final TimerEntry headLocked() {
        return size == 0 ? null : heap[0];
    }

    /** Takes the timers due at {@code now} (deadline not after it) into {@code due}, in firing order; holding the lock. */
    final void takeDueLocked(long now, List<TimerEntry> due) {
        while (size > 0 && heap[0].deadline - now <= 0) {
            due.add(heap[0]);
            removeAt(0);
        }
    }

    /** Fires {@code due} in order, outside the lock. */
    static void fireAll(List<TimerEntry> due) {
        for (TimerEntry timer : due) {
            try {
                timer.fire();
            } catch (Throwable t) {
                // fire() implementations do not throw; if one ever does, say so and carry on,
                // so that one broken timer cannot stop every hub's clock.
                System.getLogger(TimerQueue.class.getName())
                        .log(System.Logger.Level.ERROR, "timer " + timer + " failed to fire", t);
            }
        }
    }

    private void removeAt(int i) {
        TimerEntry removed = heap[i];
        removed.heapIndex = -1;
        int last = --size;
        if (i != last) {
            TimerEntry moved = heap[last];
            heap[i] = moved;
            moved.heapIndex = i;
            heap[last] = null;
            siftDown(i);
            if (heap[i] == moved) {
                siftUp(i);
            }
        } else {
            heap[last] = null;
        }
    }

    private static boolean before(TimerEntry a, TimerEntry b) {
        long d = a.deadline - b.deadline;
        return d < 0 || (d == 0 && a.sequence < b.sequence);
    }

    private void siftUp(int i) {
        TimerEntry t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            TimerEntry p = heap[parent];
            if (!before(t, p)) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = t;
        t.heapIndex = i;
    }

    private void siftDown(int i) {
        TimerEntry t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && before(heap[right], heap[child])) {
                child = right;
            }
            if (!before(heap[child], t)) {
                break;
            }
            heap[i] = heap[child];
            heap[i].heapIndex = i;
            i = child;
        }
        heap[i] = t;
        t.heapIndex = i;
    }
}
