package dev.greenlet.gevent;

import static dev.greenlet.Gevent.iwait;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import dev.greenlet.WaitIterator;
import dev.greenlet.lock.Semaphore;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * gevent's {@code src/gevent/tests/test__iwait.py}, class {@code Testiwait}, at tag 22.10.2:
 * {@code iwait} and {@code wait} take semaphores. gevent's {@code Semaphore()} has one permit.
 */
class IwaitTest extends HubTestSupport {

    /** A gevent port: its sleeps and timeouts run in virtual time, so its order holds under any load. */
    @Override
    protected boolean onVirtualTime() {
        return true;
    }

    /** {@code test_noiter}. */
    @Test
    void noiter() {
        inHub(() -> {
            Semaphore sem1 = new Semaphore(1);
            Semaphore sem2 = new Semaphore(1);
            spawn(sem1::release);
            try (WaitIterator<Semaphore> it = iwait(List.of(sem1, sem2))) {
                assertThat(it.next()).isSameAs(sem1);
            }
        });
    }

    /** {@code test_iwait_partial}: the iterator may be left early. */
    @Test
    void iwaitPartial() {
        inHub(() -> {
            Semaphore sem = new Semaphore(1);
            Greenlet<Void> let = spawn(sem::release);
            try (WaitIterator<Semaphore> it = iwait(List.of(sem), Duration.ofMillis(10), 1)) {
                assertThat(it.next()).isSameAs(sem);
            }
            let.get();
        });
    }

    /** The Java meaning of gevent's waiting on a semaphore with none free: it is yielded once a release frees one. */
    @Test
    void iwaitSemaphoreReleased() {
        inHub(() -> {
            Semaphore sem1 = new Semaphore(0);
            Semaphore sem2 = new Semaphore(0);
            spawn(() -> {
                log("releasing sem2");
                sem2.release();
            });
            assertThat(Gevent.wait(List.of(sem1, sem2), null, 1)).containsExactly(sem2);
            log("waited");
        });
        assertThat(events).containsExactly("releasing sem2", "waited");
    }
}
