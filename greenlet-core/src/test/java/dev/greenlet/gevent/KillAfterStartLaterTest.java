package dev.greenlet.gevent;

import dev.greenlet.Greenlet;
import java.time.Duration;

/** gevent's {@code test__greenlet.py}, class {@code TestKillAfterStartLater}, at tag 22.10.2: killed while its start timer waits. */
class KillAfterStartLaterTest extends KillTestBase {

    @Override
    void startGreenlet(Greenlet<Void> g) {
        g.startLater(Duration.ofMillis(MEDIUM_MS));
    }
}
