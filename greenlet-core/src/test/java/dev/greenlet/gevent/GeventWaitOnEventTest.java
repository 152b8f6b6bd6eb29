package dev.greenlet.gevent;

import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import dev.greenlet.event.Event;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** gevent's {@code src/gevent/tests/test__event.py}, class {@code TestGeventWaitOnEvent}, at tag 22.10.2. */
class GeventWaitOnEventTest extends HubTestSupport {

    /** A gevent port: its sleeps and timeouts run in virtual time, so its order holds under any load. */
    @Override
    protected boolean onVirtualTime() {
        return true;
    }

    /** {@code test_set_during_wait} (gevent issue 771): a cleared event is not reported ready by a later wait. */
    @Test
    void setDuringWait() {
        inHub(() -> {
            Event event = new Event();
            spawn(() -> {
                Greenlet<Void> s = spawn(event::set);
                assertThat(event.await()).isTrue();
                assertThat(event.isDone()).isTrue();
                s.join();
                event.clear();
                assertThat(event.isDone()).isFalse();
                List<Event> o = Gevent.wait(List.of(event), Duration.ofMillis(10), 1);
                assertThat(event.isDone()).isFalse();
                assertThat(o).doesNotContain(event);
                log("checked");
            }).join();
        });
        assertThat(events).containsExactly("checked");
    }
}
