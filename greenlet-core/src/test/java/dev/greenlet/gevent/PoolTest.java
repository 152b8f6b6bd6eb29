package dev.greenlet.gevent;

/** gevent's {@code src/gevent/tests/test__pool.py}, class {@code TestPool}, at tag 22.10.2: a pool of 1. */
class PoolTest extends PoolTestBase {

    @Override
    int size() {
        return 1;
    }
}
