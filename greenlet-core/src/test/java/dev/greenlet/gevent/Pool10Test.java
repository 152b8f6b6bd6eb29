package dev.greenlet.gevent;

/** gevent's {@code src/gevent/tests/test__pool.py}, class {@code TestPool10}, at tag 22.10.2: a pool of 10. */
class Pool10Test extends PoolTestBase {

    @Override
    int size() {
        return 10;
    }
}
