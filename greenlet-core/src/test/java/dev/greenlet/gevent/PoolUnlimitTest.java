package dev.greenlet.gevent;

/** gevent's {@code src/gevent/tests/test__pool.py}, class {@code TestPoolUnlimit}, at tag 22.10.2: no limit (a {@link dev.greenlet.pool.Group}). */
class PoolUnlimitTest extends PoolTestBase {

    @Override
    int size() {
        return 0;
    }
}
