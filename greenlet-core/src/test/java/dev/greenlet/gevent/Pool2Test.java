package dev.greenlet.gevent;

/** gevent's {@code src/gevent/tests/test__pool.py}, class {@code TestPool2}, at tag 22.10.2: a pool of 2. */
class Pool2Test extends PoolTestBase {

    @Override
    int size() {
        return 2;
    }
}
