package dev.greenlet.gevent;

import static dev.greenlet.Gevent.sleep;

import dev.greenlet.Greenlet;
import java.util.List;

/**
 * gevent's {@code test__greenlet.py}, class {@code TestKillWhileRunning}, at tag 22.10.2: killed
 * while it sleeps. gevent's class inherits {@code TestKill}'s empty {@code _start_greenlet}, so
 * its greenlet is in fact killed before it starts; here it is started and reaches its sleep
 * first, which is what the class's name says it tests.
 */
class KillWhileRunningTest extends KillTestBase {

    @Override
    void runInGreenlet(List<Integer> resultCollector) {
        sleep(LONG_MS); // ends with the kill: what follows never runs
        super.runInGreenlet(resultCollector);
    }

    @Override
    void startGreenlet(Greenlet<Void> g) {
        g.start();
        sleep(0); // let it reach its sleep
    }

    @Override
    void afterKillGreenlet(Greenlet<Void> g) {
        sleep(10);
    }
}
