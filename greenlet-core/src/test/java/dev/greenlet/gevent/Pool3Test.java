package dev.greenlet.gevent;

/** gevent's {@code src/gevent/tests/test__pool.py}, class {@code TestPool3}, at tag 22.10.2: a pool of 3. */
class Pool3Test extends PoolTestBase {

    @Override
    int size() {
        return 3;
    }
}
