package dev.greenlet.queue;

import static dev.greenlet.Gevent.joinall;
import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Queue, LifoQueue, PriorityQueue, JoinableQueue and Channel semantics, from recorded events. */
class QueueTest extends HubTestSupport {

    @Test
    void getWaitsForAPutAndGettersAreServedInOrder() {
        Queue<String> q = new Queue<>();
        inHub(() -> {
            List<Greenlet<?>> gs = new ArrayList<>();
            for (String name : List.of("a", "b")) {
                gs.add(spawn(() -> log(name + " got " + q.get())));
            }
            sleep(0);
            q.put("1");
            q.put("2");
            log("put both");
            joinall(gs);
        });
        assertThat(events).containsExactly("put both", "a got 1", "b got 2");
    }

    @Test
    void boundedPutWaitsForRoomAndPuttersAreServedInOrder() {
        Queue<Integer> q = new Queue<>(1);
        inHub(() -> {
            q.put(0);
            assertThat(q.isFull()).isTrue();
            List<Greenlet<?>> gs = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                int item = i;
                gs.add(spawn(() -> {
                    q.put(item);
                    log("put " + item);
                }));
            }
            sleep(0);
            log("got " + q.get());
            log("got " + q.get());
            log("got " + q.get());
            joinall(gs);
        });
        assertThat(events).containsExactly("got 0", "got 1", "got 2", "put 1", "put 2");
    }

    @Test
    void nowaitAndTimedOperationsFailWithClearErrors() {
        Queue<String> q = new Queue<>(1);
        assertThatThrownBy(q::getNowait).isInstanceOf(Empty.class).hasMessageContaining("getNowait").hasMessageContaining("is empty");
        q.putNowait("x");
        assertThatThrownBy(() -> q.putNowait("y")).isInstanceOf(Full.class).hasMessageContaining("is full");
        inHub(() -> assertThatThrownBy(() -> q.put("y", Duration.ofMillis(1))).isInstanceOf(Full.class));
        assertThat(q.get(Duration.ofMillis(1))).isEqualTo("x");
        inHub(() -> assertThatThrownBy(() -> q.get(Duration.ofMillis(1))).isInstanceOf(Empty.class).hasMessageContaining("still empty"));
        assertThat(q.offer("z")).isTrue();
        assertThat(q.poll()).isEqualTo("z");
        assertThat(q.poll()).isNull();
        assertThatThrownBy(() -> q.put(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("must not be null");
        assertThatThrownBy(() -> new Queue<String>(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Channel");
    }

    @Test
    void inspectionDoesNotConsume() {
        Queue<Integer> q = new Queue<>(3);
        q.put(1);
        q.put(2);
        assertThat(q.peek()).isEqualTo(1);
        assertThat(q.size()).isEqualTo(2);
        assertThat(q).containsExactly(1, 2);
        assertThat(q.size()).isEqualTo(2);
        assertThat(q.isEmpty()).isFalse();
        assertThat(q.maxsize()).isEqualTo(3);
    }

    @Test
    void lifoAndPriorityQueuesOrderTheirItems() {
        LifoQueue<Integer> lifo = new LifoQueue<>();
        PriorityQueue<Integer> prio = new PriorityQueue<>();
        for (int i : new int[] {2, 3, 1}) {
            lifo.put(i);
            prio.put(i);
        }
        assertThat(List.of(lifo.get(), lifo.get(), lifo.get())).containsExactly(1, 3, 2);
        assertThat(List.of(prio.get(), prio.get(), prio.get())).containsExactly(1, 2, 3);
        PriorityQueue<String> byLength = new PriorityQueue<>(0, java.util.Comparator.comparing(String::length));
        byLength.put("ccc");
        byLength.put("a");
        assertThat(byLength.get()).isEqualTo("a");
    }

    @Test
    void joinableQueueJoinWaitsForEveryTaskDone() {
        JoinableQueue<Integer> q = new JoinableQueue<>();
        inHub(() -> {
            for (int i = 0; i < 3; i++) {
                q.put(i);
            }
            Greenlet<Void> worker = spawn(() -> {
                while (true) {
                    int item = q.get();
                    sleep(1);
                    log("done " + item);
                    q.taskDone();
                }
            });
            q.join();
            log("joined");
            assertThat(q.unfinishedTasks()).isZero();
            worker.kill();
        });
        assertThat(events).containsExactly("done 0", "done 1", "done 2", "joined");
        assertThatThrownBy(q::taskDone).isInstanceOf(IllegalStateException.class).hasMessageContaining("more times");
    }

    @Test
    void channelPutWaitsForATaker() {
        Channel<String> ch = new Channel<>();
        inHub(() -> {
            Greenlet<Void> putter = spawn(() -> {
                log("putting");
                ch.put("x");
                log("put returned");
            });
            sleep(0);
            log("taking");
            log("took " + ch.get());
            putter.join();
            assertThatThrownBy(() -> ch.putNowait("y")).isInstanceOf(Full.class);
            assertThatThrownBy(ch::getNowait).isInstanceOf(Empty.class);
        });
        assertThat(events).containsExactly("putting", "taking", "took x", "put returned");
    }

    /** A killed get consumes no item: the item goes to the next getter. */
    @Test
    void killedGetConsumesNoItem() {
        Queue<String> q = new Queue<>();
        inHub(() -> {
            Greenlet<Void> killed = spawn(() -> log("killed one got " + q.get()));
            Greenlet<Void> next = spawn(() -> log("next got " + q.get()));
            sleep(0);
            killed.kill();
            q.put("item");
            next.join();
        });
        assertThat(events).containsExactly("next got item");
        assertThat(q.size()).isZero();
    }

    /** A killed Channel.put delivers nothing. */
    @Test
    void killedChannelPutDeliversNothing() {
        Channel<String> ch = new Channel<>();
        inHub(() -> {
            Greenlet<Void> putter = spawn(() -> ch.put("never"));
            sleep(0);
            putter.kill();
            assertThat(ch.balance()).isZero();
            Greenlet<String> getter = spawn(() -> ch.get(Duration.ofMillis(SHORT_MS)));
            getter.join();
            assertThat(getter.exception()).isInstanceOf(Empty.class);
        });
        assertThat(expectReported()).hasSize(1);
    }

    /** A plain thread produces while greenlets consume, and the other way round. */
    @Test
    void plainThreadsAndGreenletsShareAQueue() throws Exception {
        Queue<Integer> toGreenlets = new Queue<>(2);
        Queue<Integer> toThread = new Queue<>(2);
        Greenlet<Void> relay = hub.spawn(() -> {
            for (int i = 0; i < 100; i++) {
                toThread.put(toGreenlets.get() * 2);
            }
        });
        Thread producer = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 100; i++) {
                toGreenlets.put(i);
            }
        });
        int sum = 0;
        for (int i = 0; i < 100; i++) {
            sum += toThread.get();
        }
        producer.join();
        relay.join();
        assertThat(sum).isEqualTo(2 * 99 * 100 / 2);
    }
}
