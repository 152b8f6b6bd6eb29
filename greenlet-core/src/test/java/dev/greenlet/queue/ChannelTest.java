package dev.greenlet.queue;

import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import dev.greenlet.Parked;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** {@link Channel}'s own contract: a rendezvous with no capacity, where each side waits for the other. */
class ChannelTest extends HubTestSupport {

    @Test
    void getNowaitTakesTheItemOfAWaitingPutterAndOnlyThen() {
        Channel<String> ch = new Channel<>();
        inHub(() -> {
            assertThat(ch.poll()).as("no putter waits yet").isNull();
            Greenlet<Void> putter = spawn(() -> ch.put("x"));
            Parked.awaitParked(putter, ch);
            assertThat(ch.balance()).as("one putter waits").isEqualTo(-1);
            assertThat(ch.getNowait()).isEqualTo("x");
            putter.join();
            assertThatThrownBy(ch::getNowait).isInstanceOf(Empty.class).hasMessageContaining("use get() to wait");
        });
    }

    @Test
    void aTimedPutWithNoGetterFailsAndDeliversNothing() {
        Channel<String> ch = new Channel<>();
        inHub(() -> {
            assertThatThrownBy(() -> ch.put("lost", Duration.ofMillis(SHORT_MS)))
                    .isInstanceOf(Full.class)
                    .hasMessageContaining("no getter took the item");
            assertThat(ch.balance()).as("the timed-out putter withdrew").isZero();
            assertThat(ch.poll()).as("its item was not left behind").isNull();
        });
    }

    @Test
    void aTimedGetWithNoPutterFailsAndTakesNothing() {
        Channel<String> ch = new Channel<>();
        inHub(() -> {
            assertThatThrownBy(() -> ch.get(Duration.ofMillis(SHORT_MS))).isInstanceOf(Empty.class);
            assertThat(ch.balance()).as("the timed-out getter withdrew").isZero();
            assertThat(ch.offer("x")).as("no getter waits to take an offered item").isFalse();
        });
    }

    @Test
    void aPutFromAPlainThreadWaitsUntilAGreenletTakesTheItem() throws Exception {
        Channel<Integer> ch = new Channel<>();
        AtomicBoolean returned = new AtomicBoolean();
        Thread producer = Thread.ofPlatform().start(() -> {
            ch.put(42);
            returned.set(true);
        });
        Parked.awaitParked(producer, ch);
        assertThat(returned).as("put returned while no getter had come").isFalse();
        assertThat(hub.run(() -> ch.get())).isEqualTo(42);
        producer.join(LONG_MS);
        assertThat(returned).as("the producer's put returned once its item was taken").isTrue();
    }

    @Test
    void nullItemsAreRefused() {
        Channel<String> ch = new Channel<>();
        assertThatThrownBy(() -> ch.put(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("null");
    }

    @Test
    void isAlwaysEmptyAndFullBecauseItHasNoCapacity() {
        Channel<String> ch = new Channel<>();
        assertThat(ch.isEmpty()).isTrue();
        assertThat(ch.isFull()).isTrue();
        assertThat(new Queue<String>(0).isFull()).as("a queue of maxsize 0 is unbounded, unlike a channel").isFalse();
    }
}
