package dev.greenlet.monkey;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Gevent;
import dev.greenlet.HubTestSupport;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** In a JVM of its own: once patchDns() is called, lookups in a greenlet give up the hub while they wait. */
class DnsPatchTest extends HubTestSupport {

    @Test
    void lookupsInAGreenletAreOffloadedOncePatched() throws Exception {
        assertThat(countSwitchesOfALookup()).as("unpatched: the lookup keeps the permit").isZero();
        Monkey.patchDns();
        assertThat(Monkey.isPatched(Monkey.DNS)).isTrue();
        assertThat(countSwitchesOfALookup()).as("patched: the lookup gives up the permit and takes it back").isGreaterThanOrEqualTo(2);
        Monkey.patchDns(); // idempotent
        assertThat(Monkey.patched()).containsExactly(Monkey.DNS);
    }

    /** Resolves 127.0.0.1's name with a fresh InetAddress (so nothing is cached) and counts permit handoffs. */
    private long countSwitchesOfALookup() {
        return hub.run(() -> {
            InetAddress fresh = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
            long before = hub.switchCount();
            String name = fresh.getHostName();
            long after = hub.switchCount();
            assertThat(name).isNotBlank();
            assertThat(Gevent.getCurrent()).isNotNull();
            return after - before;
        });
    }
}
