package dev.greenlet.gevent;

import static dev.greenlet.Gevent.idle;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Gevent;
import dev.greenlet.HubTestSupport;
import dev.greenlet.event.Event;
import java.util.List;
import org.junit.jupiter.api.Test;

/** gevent's {@code src/gevent/tests/test__event.py}, class {@code TestEventBasics}, at tag 22.10.2. */
class EventBasicsTest extends HubTestSupport {

    /** A gevent port: its sleeps and timeouts run in virtual time, so its order holds under any load. */
    @Override
    protected boolean onVirtualTime() {
        return true;
    }

    /** {@code test_wait_while_notifying}: a wait on an event that is still waking its waiters goes behind them. */
    @Test
    void waitWhileNotifying() {
        inHub(() -> {
            Event event = new Event();
            for (String arg : List.of("1", "2")) {
                spawn(() -> {
                    event.await();
                    log(arg);
                });
            }
            idle();
            event.set();
            event.await();
            log("3");
            assertThat(events).containsExactly("1", "2", "3");
        });
    }

    /** {@code test_gevent_wait_twice_when_already_set}. */
    @Test
    void geventWaitTwiceWhenAlreadySet() {
        inHub(() -> {
            Event event = new Event();
            event.set();
            assertThat(Gevent.wait(List.of(event))).containsExactly(event);
            assertThat(Gevent.wait(List.of(event))).containsExactly(event);
        });
    }
}
