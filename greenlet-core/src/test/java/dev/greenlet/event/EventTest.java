package dev.greenlet.event;

import static dev.greenlet.Gevent.joinall;
import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import dev.greenlet.Parked;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Event and AsyncResult: FIFO wake-ups, timeouts, plain threads and greenlets together. */
class EventTest extends HubTestSupport {

    @Test
    void setWakesWaitersInTheOrderTheyBeganToWait() {
        Event event = new Event();
        inHub(() -> {
            List<Greenlet<?>> gs = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                gs.add(spawn(() -> {
                    log(name + " waits");
                    event.await();
                    log(name + " woke");
                }));
            }
            sleep(0);
            log("set");
            event.set();
            joinall(gs);
        });
        assertThat(events).containsExactly("a waits", "b waits", "c waits", "set", "a woke", "b woke", "c woke");
    }

    @Test
    void awaitOnASetEventReturnsWithoutSwitching() {
        Event event = new Event();
        event.set();
        inHub(() -> {
            spawn(() -> log("other"));
            assertThat(event.await()).isTrue();
            log("returned at once");
            sleep(0);
        });
        assertThat(events).containsExactly("returned at once", "other");
    }

    @Test
    void awaitWithTimeoutSaysWhetherItWasSet() {
        Event event = new Event();
        inHub(() -> assertThat(event.await(Duration.ofMillis(1))).isFalse());
        event.set();
        assertThat(event.await(Duration.ofMillis(1))).isTrue();
        event.clear();
        assertThat(event.isSet()).isFalse();
        assertThat(event.await(Duration.ZERO)).isFalse();
    }

    /** A platform thread sets an Event that 1,000 greenlets wait on; every one of them wakes. */
    @Test
    void plainThreadSetsAnEventThatAThousandGreenletsAwait() throws Exception {
        Event event = new Event();
        AtomicInteger woke = new AtomicInteger();
        List<Greenlet<Void>> gs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            gs.add(hub.spawn(() -> {
                event.await();
                woke.incrementAndGet();
            }));
        }
        for (Greenlet<Void> g : gs) {
            Parked.awaitParked(g, event);
        }
        assertThat(event.waiterCount()).isEqualTo(1000);
        Thread setter = Thread.ofPlatform().start(event::set);
        setter.join();
        for (Greenlet<Void> g : gs) {
            g.join();
        }
        assertThat(woke.get()).isEqualTo(1000);
    }

    @Test
    void killedWaiterLeavesTheEventClean() {
        Event event = new Event();
        inHub(() -> {
            var waiter = spawn(() -> event.await());
            sleep(0);
            assertThat(event.waiterCount()).isOne();
            waiter.kill();
            assertThat(event.waiterCount()).isZero();
        });
    }

    @Test
    void asyncResultDeliversAValueToGreenletsAndThreads() throws Exception {
        AsyncResult<String> result = new AsyncResult<>();
        List<String> got = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread thread = Thread.ofPlatform().start(() -> got.add("thread " + result.get()));
        var g = hub.spawn(() -> got.add("greenlet " + result.get()));
        assertThat(result.isDone()).isFalse();
        Parked.awaitParked(thread, result);
        Parked.awaitParked(g, result);
        hub.run(() -> {
            assertThat(result.set("v")).isTrue();
            assertThat(result.set("again")).as("completes once").isFalse();
        });
        thread.join();
        g.join();
        assertThat(got).containsExactlyInAnyOrder("thread v", "greenlet v");
        assertThat(result.isSuccessful()).isTrue();
        assertThat(result.value()).isEqualTo("v");
    }

    @Test
    void asyncResultRethrowsItsException() {
        AsyncResult<String> unchecked = new AsyncResult<>();
        IllegalStateException e = new IllegalStateException("bad");
        unchecked.setException(e);
        assertThatThrownBy(unchecked::get).isSameAs(e);
        AsyncResult<String> checked = new AsyncResult<>();
        checked.setException(new java.io.IOException("io"));
        assertThatThrownBy(checked::get).isInstanceOf(CompletionException.class).hasCauseInstanceOf(java.io.IOException.class);
        assertThat(checked.exception()).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void asyncResultGetWithTimeoutThrowsTimeout() {
        inHub(() -> assertThatThrownBy(() -> new AsyncResult<String>().get(Duration.ofMillis(1)))
                .isInstanceOf(dev.greenlet.Timeout.class).hasMessageContaining("get() of AsyncResult"));
    }

    @Test
    void asyncResultAsALinkTargetTakesTheGreenletsOutcome() {
        inHub(() -> {
            AsyncResult<Integer> value = new AsyncResult<>();
            spawn(() -> 7).link(value);
            assertThat(value.get()).isEqualTo(7);

            AsyncResult<Object> failure = new AsyncResult<>();
            IllegalArgumentException boom = new IllegalArgumentException("boom");
            spawn(() -> {
                throw boom;
            }).link(failure);
            assertThatThrownBy(failure::get).isSameAs(boom);

            AsyncResult<Void> killed = new AsyncResult<>();
            Greenlet<Void> victim = spawn(() -> sleep(LONG_MS));
            victim.link(killed);
            sleep(0);
            victim.kill();
            assertThatThrownBy(killed::get).isInstanceOf(CancellationException.class);
        });
        assertThat(expectReported()).hasSize(1);
    }

    @Test
    void waitAndIwaitWorkOnEventsAndGreenletsAlike() {
        inHub(() -> {
            Event event = new Event();
            AsyncResult<String> result = new AsyncResult<>();
            Greenlet<Void> setter = spawn(() -> {
                sleep(2);
                result.set("r");
                sleep(2);
                event.set();
            });
            List<dev.greenlet.Waitable> order = dev.greenlet.Gevent.wait(List.of(event, result, setter));
            assertThat(order).containsExactly(result, event, setter);
        });
    }
}
