package dev.greenlet.gevent;

/** gevent's {@code test__greenlet.py}, class {@code TestKill}, at tag 22.10.2: killed before it is started. */
class KillTest extends KillTestBase {
}
