package dev.greenlet.gevent;

import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;
import static dev.greenlet.Gevent.withTimeout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.GreenletExit;
import dev.greenlet.HubTestSupport;
import dev.greenlet.Timeout;
import dev.greenlet.pool.Group;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * gevent's {@code src/gevent/tests/test__greenletset.py}, class {@code Test}, at tag 22.10.2,
 * ported one test per gevent test. gevent's {@code DELAY} (0.1 s) is {@code SHORT_MS}; its
 * timings become recorded facts (who is alive, who was shot how often).
 */
class GreenletSetTest extends HubTestSupport {

    /** A gevent port: its sleeps and timeouts run in virtual time, so its order holds under any load. */
    @Override
    protected boolean onVirtualTime() {
        return true;
    }

    /** gevent's {@code SpecialError}: what finally ends an {@link #undead} greenlet. */
    static final class SpecialError extends RuntimeException {
        SpecialError() {
            super("special");
        }
    }

    /** gevent's {@code Undead}: survives every kill but a {@link SpecialError}, counting the shots. */
    private static Runnable undead(AtomicInteger shotCount) {
        return () -> {
            while (true) {
                try {
                    sleep(1000);
                } catch (SpecialError e) {
                    break;
                } catch (GreenletExit e) {
                    shotCount.incrementAndGet();
                }
            }
        };
    }

    /** {@code test_basic}: members leave the group as they die. */
    @Test
    void basic() {
        inHub(() -> {
            Group s = new Group();
            s.spawn(() -> sleep(SHORT_MS));
            assertThat(s.size()).isEqualTo(1);
            Greenlet<Void> longer = s.spawn(() -> sleep(SHORT_MS * 5));
            assertThat(s.size()).isEqualTo(2);
            sleep(0);
            sleep(SHORT_MS * 2);
            assertThat(s.size()).isEqualTo(1);
            assertThat(s.contains(longer)).isTrue();
            sleep(SHORT_MS * 5);
            assertThat(s.size()).isZero();
        });
    }

    /** {@code test_waitall}: join waits for both. */
    @Test
    void waitall() {
        inHub(() -> {
            Group s = new Group();
            Greenlet<Void> a = s.spawn(() -> sleep(SHORT_MS));
            Greenlet<Void> b = s.spawn(() -> sleep(SHORT_MS * 2));
            assertThat(s.size()).isEqualTo(2);
            s.join(null, true);
            assertThat(s.size()).isZero();
            assertThat(a.isDead() && b.isDead()).isTrue();
        });
    }

    /** {@code test_kill_block}: kill() waits until the members are dead, without waiting out their sleeps. */
    @Test
    void killBlock() {
        inHub(() -> {
            Group s = new Group();
            Greenlet<Void> a = s.spawn(() -> sleep(LONG_MS));
            Greenlet<Void> b = s.spawn(() -> sleep(LONG_MS * 2));
            s.kill();
            assertThat(s.size()).isZero();
            assertThat(a.isKilled() && b.isKilled()).isTrue();
        });
    }

    /**
     * {@code test_kill_noblock}. The members first get to run ({@code sleep(0)}): a greenlet
     * killed before it started leaves its group at once here, where gevent notifies the group
     * on its next loop iteration.
     */
    @Test
    void killNoblock() {
        inHub(() -> {
            Group s = new Group();
            s.spawn(() -> sleep(LONG_MS));
            s.spawn(() -> sleep(LONG_MS * 2));
            sleep(0);
            s.kill(null, false, null);
            assertThat(s.size()).isEqualTo(2);
            sleep(1);
            assertThat(s.size()).isZero();
        });
    }

    /** {@code test_kill_fires_once}: a member the group is killing is not shot again, and killone of it returns. */
    @Test
    void killFiresOnce() {
        inHub(() -> {
            AtomicInteger u1 = new AtomicInteger();
            AtomicInteger u2 = new AtomicInteger();
            Greenlet<Void> p1 = spawn(undead(u1));
            Greenlet<Void> p2 = spawn(undead(u2));
            sleep(10);
            Group s = new Group();
            s.add(p1);
            s.add(p2);
            assertThat(s.size()).isEqualTo(2);
            Runnable check0 = () -> assertThat(p1.isDead() || p2.isDead()).isFalse();
            check0.run();
            assertThat(u1.get() + "," + u2.get()).isEqualTo("0,0");
            s.killone(p1, null, false, null);
            assertThat(u1.get() + "," + u2.get()).isEqualTo("0,0");
            sleep(0);
            assertThat(u1.get() + "," + u2.get()).isEqualTo("1,0");
            s.killone(p1);
            assertThat(u1.get() + "," + u2.get()).isEqualTo("1,0");
            s.killone(p1);
            assertThat(u1.get() + "," + u2.get()).isEqualTo("1,0");
            s.kill(null, false, null);
            s.kill(null, false, null);
            s.kill(null, false, null);
            assertThat(u1.get() + "," + u2.get()).isEqualTo("1,0");
            sleep(SHORT_MS);
            assertThat(u1.get() + "," + u2.get()).isEqualTo("1,1");
            Object x = new Object();
            Object killResult = withTimeout(Duration.ofMillis(SHORT_MS), () -> {
                s.kill(null, true, null);
                return null;
            }, x);
            assertThat(killResult).isSameAs(x);
            assertThat(s.size()).isEqualTo(2);
            check0.run();
            assertThat(u1.get() + "," + u2.get()).isEqualTo("1,1");
            p1.kill(new SpecialError());
            p2.kill(new SpecialError());
        });
        assertThat(reported).as("an undead greenlet ends normally on SpecialError").isEmpty();
    }

    /** {@code test_killall_subclass}: a group of a failed and a sleeping greenlet is killed. */
    @Test
    void killallSubclass() {
        inHub(() -> {
            Greenlet<Integer> p1 = spawn(() -> 1 / 0);
            Greenlet<Void> p2 = spawn(() -> sleep(LONG_MS * 2));
            Group s = new Group();
            s.add(p1);
            s.add(p2);
            s.kill();
            assertThat(p1.isKilled() && p2.isKilled()).as("killed before they ran").isTrue();
        });
        assertThat(reported).isEmpty();
    }

    /** {@code test_killall_iterable_argument_non_block}. */
    @Test
    void killallIterableArgumentNonBlock() {
        inHub(() -> {
            Set<Greenlet<?>> s = new LinkedHashSet<>();
            s.add(spawn(() -> sleep(LONG_MS)));
            s.add(spawn(() -> sleep(LONG_MS)));
            Gevent.killall(s, null, false, null);
            sleep(SHORT_MS);
            assertThat(s).allSatisfy(g -> assertThat(g.isDead()).isTrue());
        });
    }

    /** {@code test_killall_iterable_argument_timeout_not_started}: greenlets killed before they start die at once. */
    @Test
    void killallIterableArgumentTimeoutNotStarted() {
        inHub(() -> {
            Set<Greenlet<?>> s = new LinkedHashSet<>();
            s.add(spawn(GreenletSetTest::sleepThenSleepOnKill));
            s.add(spawn(GreenletSetTest::sleepThenSleepOnKill));
            Gevent.killall(s, null, true, Duration.ofMillis(SHORT_MS));
            assertThat(s).allSatisfy(g -> assertThat(g.isDead()).isTrue());
        });
    }

    /** {@code test_killall_iterable_argument_timeout_started}: killall raises Timeout when they outlive it. */
    @Test
    void killallIterableArgumentTimeoutStarted() {
        inHub(() -> {
            Set<Greenlet<?>> s = new LinkedHashSet<>();
            s.add(spawn(GreenletSetTest::sleepThenSleepOnKill));
            s.add(spawn(GreenletSetTest::sleepThenSleepOnKill));
            sleep(1);
            assertThatThrownBy(() -> Gevent.killall(s, null, true, Duration.ofMillis(SHORT_MS)))
                    .isInstanceOf(Timeout.class);
            assertThat(s).allSatisfy(g -> assertThat(g.isDead()).isFalse());
            for (Greenlet<?> g : s) {
                g.kill();
            }
        });
    }

    /** gevent's {@code f}: sleeps, and sleeps again when killed. */
    private static void sleepThenSleepOnKill() {
        try {
            sleep(LONG_MS);
        } catch (GreenletExit e) {
            sleep(MEDIUM_MS * 2);
        }
    }
}
