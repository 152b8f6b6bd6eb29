package dev.greenlet.gevent;

import dev.greenlet.Greenlet;

/** gevent's {@code test__greenlet.py}, class {@code TestKillAfterStart}, at tag 22.10.2: killed after start(), before its first turn. */
class KillAfterStartTest extends KillTestBase {

    @Override
    void startGreenlet(Greenlet<Void> g) {
        g.start();
    }
}
