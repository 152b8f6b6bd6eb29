package dev.greenlet.pool;

import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Group and Pool: membership, join, kill, map/imap, fail-fast groups, bounded concurrency. */
class PoolTest extends HubTestSupport {

    @Test
    void groupTracksMembersUntilTheyDie() {
        inHub(() -> {
            Group group = new Group();
            Greenlet<Integer> a = group.spawn(() -> {
                sleep(1);
                return 1;
            });
            Greenlet<Void> b = group.spawn(() -> sleep(LONG_MS));
            assertThat(group.size()).isEqualTo(2);
            assertThat(group.contains(a)).isTrue();
            a.join();
            assertThat(group.contains(a)).as("a dead member leaves").isFalse();
            assertThat(group.join(Duration.ofMillis(1), false)).isFalse();
            group.killone(b);
            assertThat(group.join(Duration.ZERO, false)).isTrue();
            Greenlet<Void> outsider = spawn(() -> sleep(LONG_MS));
            group.add(outsider);
            group.discard(outsider);
            assertThat(group.size()).isZero();
            outsider.kill();
        });
    }

    @Test
    void groupKillKillsEveryMember() {
        inHub(() -> {
            Group group = new Group();
            for (int i = 0; i < 10; i++) {
                group.spawn(() -> sleep(LONG_MS));
            }
            sleep(0);
            group.kill();
            assertThat(group.size()).isZero();
        });
    }

    /** As gevent's join(raise_error=True): the wait ends (here by its timeout), then a member's failure is rethrown. */
    @Test
    void joinWithRaiseErrorRethrowsAFailureOnceTheWaitEnds() {
        IllegalStateException boom = new IllegalStateException("boom");
        inHub(() -> {
            Group group = new Group();
            Greenlet<Void> slow = group.spawn(() -> sleep(LONG_MS));
            group.spawn(() -> {
                sleep(1);
                throw boom;
            });
            assertThatThrownBy(() -> group.join(Duration.ofMillis(MEDIUM_MS), true)).isSameAs(boom);
            assertThat(slow.isDead()).as("an ordinary group leaves the others running").isFalse();
            group.kill();
        });
        assertThat(expectReported()).containsExactly(boom);
    }

    /** Fail-fast: one failure kills the others at once, refuses new spawns, and join rethrows it. */
    @Test
    void failFastGroupKillsTheOthersAndRethrows() {
        IllegalStateException boom = new IllegalStateException("boom");
        inHub(() -> {
            Group nursery = Group.failFast();
            Greenlet<Void> sibling = nursery.spawn(() -> {
                try {
                    sleep(LONG_MS);
                } finally {
                    log("sibling cleaned up");
                }
            });
            nursery.spawn(() -> {
                sleep(1);
                throw boom;
            });
            assertThatThrownBy(nursery::join).isSameAs(boom);
            assertThat(sibling.isKilled()).isTrue();
            assertThatThrownBy(() -> nursery.spawn(() -> { })).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already failed").hasCause(boom);
        });
        assertThat(events).containsExactly("sibling cleaned up");
        assertThat(expectReported()).containsExactly(boom);
    }

    @Test
    void mapReturnsResultsInInputOrder() {
        List<Integer> out = hub.run(() -> new Group().map(i -> {
            sleep(10 - i);
            return i * i;
        }, IntStream.range(0, 10).boxed().toList()));
        assertThat(out).containsExactly(0, 1, 4, 9, 16, 25, 36, 49, 64, 81);
    }

    @Test
    void imapUnorderedYieldsInCompletionOrder() {
        List<Integer> out = new ArrayList<>();
        inHub(() -> {
            try (MapIterator<Integer> it = new Group().imapUnordered(ms -> {
                sleep(ms);
                return ms;
            }, List.of(30, 10, 20))) {
                it.forEachRemaining(out::add);
            }
        });
        assertThat(out).containsExactly(10, 20, 30);
    }

    /** A failure is rethrown where it is (the iteration could go on, as in gevent); closing kills the rest. */
    @Test
    void imapRethrowsAFailureWhereItIsAndCloseKillsTheRest() {
        AtomicInteger finished = new AtomicInteger();
        inHub(() -> {
            List<Integer> seen = new ArrayList<>();
            MapIterator<Integer> it = new Pool(3).imap(i -> {
                if (i == 2) {
                    throw new IllegalArgumentException("item 2");
                }
                sleep(i == 1 ? 1 : LONG_MS);
                finished.incrementAndGet();
                return i;
            }, List.of(1, 2, 3, 4, 5));
            assertThat(it.next()).isEqualTo(1);
            seen.add(1);
            assertThatThrownBy(it::next).isInstanceOf(IllegalArgumentException.class).hasMessage("item 2");
            it.close();
            assertThat(it.hasNext()).isFalse();
            sleep(0);
        });
        assertThat(finished.get()).as("the slow items were killed").isOne();
        assertThat(expectReported()).singleElement().satisfies(e -> assertThat(e).hasMessage("item 2"));
    }

    @Test
    void poolKeepsAtMostItsSizeInFlight() {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        List<Integer> results = hub.run(() -> {
            Pool pool = new Pool(5);
            List<Integer> out = new ArrayList<>();
            try (MapIterator<Integer> it = pool.imap(i -> {
                maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                sleep(1);
                inFlight.decrementAndGet();
                return i;
            }, IntStream.range(0, 100).boxed().toList())) {
                it.forEachRemaining(out::add);
            }
            return out;
        });
        assertThat(results).containsExactlyElementsOf(IntStream.range(0, 100).boxed().toList());
        assertThat(maxInFlight.get()).isEqualTo(5);
    }

    @Test
    void poolSpawnWaitsWhileFull() {
        inHub(() -> {
            Pool pool = new Pool(1);
            pool.spawn(() -> {
                log("first runs");
                sleep(1);
                log("first done");
            });
            assertThat(pool.full()).isTrue();
            assertThat(pool.freeCount()).isZero();
            pool.spawn(() -> log("second runs"));
            log("second spawned");
            pool.join();
            assertThat(pool.waitAvailable(null)).isOne();
        });
        assertThat(events).containsExactly("first runs", "first done", "second spawned", "second runs");
    }

    @Test
    void applyRunsInlineInAMemberAndInAGreenletOtherwise() {
        inHub(() -> {
            Pool pool = new Pool(1);
            Greenlet<?> outer = Greenlet.current();
            assertThat(pool.apply(() -> Greenlet.current() != outer)).as("runs in a pool greenlet").isTrue();
            Greenlet<Boolean> member = pool.spawn(() -> pool.apply(() -> true)); // inline: no deadlock on a full pool
            assertThat(member.get()).isTrue();
            assertThat(pool.applyAsync(() -> 5).get()).isEqualTo(5);
        });
    }

    @Test
    void badPoolSizeIsAClearError() {
        assertThatThrownBy(() -> new Pool(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Group");
    }
}
