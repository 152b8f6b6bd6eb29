package dev.greenlet.gevent;

import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import dev.greenlet.queue.Channel;
import org.junit.jupiter.api.Test;

/**
 * gevent's {@code src/gevent/tests/test__queue.py}, class {@code TestChannel}, at tag 22.10.2,
 * ported one test per gevent test: the same recorded order.
 */
class ChannelTest extends HubTestSupport {

    /** A gevent port: its sleeps and timeouts run in virtual time, so its order holds under any load. */
    @Override
    protected boolean onVirtualTime() {
        return true;
    }

    /** {@code test_send}: a put to a waiting getter resumes only after the getter has run. */
    @Test
    void send() {
        inHub(() -> {
            Channel<String> channel = new Channel<>();
            Greenlet<Void> g = spawn(() -> {
                log(channel.get());
                log(channel.get());
            });
            log("sending");
            channel.put("hello");
            log("sent hello");
            channel.put("world");
            log("sent world");
            assertThat(events).containsExactly("sending", "hello", "sent hello", "world", "sent world");
            g.get();
        });
    }

    /** {@code test_wait}: the putter resumes behind the getter it served. */
    @Test
    void waitTest() {
        inHub(() -> {
            Channel<String> channel = new Channel<>();
            Greenlet<Void> g = spawn(() -> {
                log("sending hello");
                channel.put("hello");
                log("sending world");
                channel.put("world");
                log("sent world");
            });
            log("waiting");
            log(channel.get());
            log(channel.get());
            assertThat(events).containsExactly("waiting", "sending hello", "hello", "sending world", "world");
            sleep(0);
            assertThat(events).containsExactly("waiting", "sending hello", "hello", "sending world", "world",
                    "sent world");
            g.get();
        });
    }
}
