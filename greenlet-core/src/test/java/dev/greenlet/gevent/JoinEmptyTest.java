package dev.greenlet.gevent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.HubTestSupport;
import dev.greenlet.queue.JoinableQueue;
import org.junit.jupiter.api.Test;

/** gevent's {@code src/gevent/tests/test__queue.py}, class {@code TestJoinEmpty}, at tag 22.10.2. */
class JoinEmptyTest extends HubTestSupport {

    /** A gevent port: its sleeps and timeouts run in virtual time, so its order holds under any load. */
    @Override
    protected boolean onVirtualTime() {
        return true;
    }

    /** {@code test_issue_45}: join() returns at once if no task was ever put. */
    @Test
    void issue45() {
        inHub(() -> {
            JoinableQueue<String> q = new JoinableQueue<>();
            q.join();
            assertThat(q.unfinishedTasks()).isZero();
            log("joined");
        });
        assertThat(events).containsExactly("joined");
    }
}
