package dev.greenlet.monkey;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import org.junit.jupiter.api.Test;

/** The seed's example 4, in a JVM of its own: the implementation behind a new Socket, before and after the patch. */
class Example4Test {

    @Test
    void patchSocketChangesTheImplementationBehindNewSockets() throws Exception {
        String before;
        try (Socket s = new Socket()) {
            before = Monkey.implementationOf(s);
        }
        assertThat(Monkey.isPatched(Monkey.SOCKET)).isFalse();
        Monkey.patchSocket();
        String after;
        try (Socket s = new Socket()) {
            after = Monkey.implementationOf(s);
        }
        assertThat(before).isEqualTo("java.net.SocksSocketImpl over sun.nio.ch.NioSocketImpl");
        assertThat(after).isEqualTo("dev.greenlet.monkey.PatchedSocketImpl");
        assertThat(Monkey.isPatched(Monkey.SOCKET)).isTrue();
        Monkey.patchSocket(); // idempotent
        assertThat(Monkey.patched()).containsExactly(Monkey.SOCKET);
    }
}
