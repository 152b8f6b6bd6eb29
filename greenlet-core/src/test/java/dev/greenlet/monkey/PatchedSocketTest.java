package dev.greenlet.monkey;

import static dev.greenlet.Gevent.joinall;
import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import dev.greenlet.Timeout;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The patched side, in a JVM of its own: the same blocking client code now waits cooperatively. */
class PatchedSocketTest extends HubTestSupport {

    @BeforeAll
    static void patch() {
        Monkey.patchSocket();
    }

    /** How many calls each fan-out makes, and what they take one after another (each waits {@code MEDIUM_MS} on the server). */
    private static final int CALLS = 20;
    private static final long SERIAL_MS = CALLS * MEDIUM_MS;

    /** Twenty greenlets each make a 200 ms call with HttpURLConnection: together well under the serial time. */
    @Test
    void blockingCallsOverlapOncePatched() throws Exception {
        try (LoopbackServer server = LoopbackServer.http()) {
            server.getSlow(0); // warm up the client classes, not the measurement
            long start = System.nanoTime();
            List<String> bodies = fanOut(server, CALLS);
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(bodies).hasSize(CALLS).containsOnly("ok");
            assertThat(elapsedMs).as("%d calls of %d ms one after another: %d ms", CALLS, MEDIUM_MS, SERIAL_MS)
                    .isGreaterThanOrEqualTo(MEDIUM_MS).isLessThan(SERIAL_MS / 2);
        }
    }

    /**
     * TLS layered on patched sockets: HttpsURLConnection to a server with a key pair made in the
     * test. The handshakes cost CPU, which a busy machine stretches: what is asserted is the
     * overlap, against the serial time.
     */
    @Test
    void httpsCallsOverlapOncePatched() throws Exception {
        try (LoopbackServer server = LoopbackServer.https()) {
            server.getSlow(0);
            long start = System.nanoTime();
            List<String> bodies = fanOut(server, CALLS);
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(bodies).hasSize(CALLS).containsOnly("ok");
            assertThat(elapsedMs).as("%d calls of %d ms one after another: %d ms", CALLS, MEDIUM_MS, SERIAL_MS)
                    .isGreaterThanOrEqualTo(MEDIUM_MS).isLessThan(SERIAL_MS / 2);
        }
    }

    private List<String> fanOut(LoopbackServer server, int calls) {
        return hub.run(() -> {
            List<Greenlet<String>> gs = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                gs.add(spawn(() -> server.getSlow(MEDIUM_MS)));
            }
            joinall(gs);
            return gs.stream().map(Greenlet::get).toList();
        });
    }

    /** Both ways of making an SSLSocket sit on the patched implementation and work in greenlets. */
    @Test
    void sslSocketsLayeredAndDirect() throws Exception {
        var ssl = LoopbackServer.selfSignedContext();
        try (SSLServerSocket server = (SSLServerSocket) ssl.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            hub.run(() -> {
                Greenlet<Void> echo = spawn(() -> {
                    for (int i = 0; i < 2; i++) {
                        try (Socket s = server.accept()) {
                            s.getOutputStream().write(s.getInputStream().readNBytes(5));
                        }
                    }
                    return null;
                });
                // Layered: a plain (patched) socket first, then TLS over it.
                Socket plain = new Socket(InetAddress.getLoopbackAddress(), port);
                assertThat(Monkey.implementationOf(plain)).isEqualTo(PatchedSocketImpl.class.getName());
                try (SSLSocket layered = (SSLSocket) ssl.getSocketFactory().createSocket(plain, "127.0.0.1", port, true)) {
                    layered.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                    assertThat(new String(layered.getInputStream().readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("hello");
                }
                // Direct: the factory makes the SSLSocket and connects it.
                try (SSLSocket direct = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", port)) {
                    direct.getOutputStream().write("again".getBytes(StandardCharsets.US_ASCII));
                    assertThat(new String(direct.getInputStream().readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("again");
                }
                echo.get();
                return null;
            });
        }
    }

    /** A patched ServerSocket accepts in a greenlet while the hub's other greenlets run. */
    @Test
    void serverSocketAcceptsCooperatively() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            hub.run(() -> {
                Greenlet<String> acceptor = spawn(() -> {
                    try (Socket s = server.accept()) {
                        return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                    }
                });
                Greenlet<Void> other = spawn(() -> log("ran while accept waited"));
                sleep(SHORT_MS);
                try (Socket c = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                    c.getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
                }
                assertThat(acceptor.get()).isEqualTo("hi");
                other.join();
                return null;
            });
        }
        assertThat(events).containsExactly("ran while accept waited");
    }

    /** Every socket check of the unpatched fork passes here too, on a plain thread and in a greenlet. */
    @Test
    void patchedSocketsBehaveAsUnpatchedOnesEverywhere() throws Exception {
        SocketBehaviour.all();
        hub.run(() -> {
            SocketBehaviour.all();
            return null;
        });
    }

    /** A plain thread's patched sockets pass straight through: no hub, no greenlet. */
    @Test
    void plainThreadsPassStraightThrough() throws Exception {
        try (LoopbackServer server = LoopbackServer.http()) {
            assertThat(server.getSlow(1)).isEqualTo("ok");
            assertThat(Gevent.getCurrent()).isNull();
        }
    }

    /** A greenlet blocked in a patched read is killed promptly; the socket is closed; the others carry on. */
    @Test
    void killOfAGreenletBlockedInARead() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            long start = System.nanoTime();
            Socket[] client = new Socket[1];
            hub.run(() -> {
                Greenlet<Integer> reader = spawn(() -> {
                    client[0] = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                    return client[0].getInputStream().read(); // the server never writes
                });
                Greenlet<Void> other = spawn(() -> {
                    sleep(SHORT_MS);
                    log("other carried on");
                });
                try (Socket accepted = server.accept()) {
                    sleep(SHORT_MS);
                    reader.kill();
                    assertThat(reader.isKilled()).isTrue();
                }
                other.join();
                return null;
            });
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(LONG_MS);
            // Killing a blocked read closes the connection underneath: later use says so.
            assertThatThrownBy(() -> client[0].getInputStream().read()).isInstanceOf(SocketException.class)
                    .hasMessage("Socket closed");
            client[0].close();
            assertThat(client[0].isClosed()).isTrue();
        }
        assertThat(events).containsExactly("other carried on");
    }

    /** A Timeout of a greenlet blocked in a patched read lands promptly. */
    @Test
    void timeoutOfAGreenletBlockedInARead() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            hub.run(() -> {
                Greenlet<String> reader = spawn(() -> {
                    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                            var t = Timeout.start(Duration.ofMillis(SHORT_MS))) {
                        s.getInputStream().read();
                        return "read";
                    } catch (Timeout t) {
                        return "timed out";
                    }
                });
                try (Socket accepted = server.accept()) {
                    assertThat(reader.get()).isEqualTo("timed out");
                }
                return null;
            });
        }
    }

    /** Closing a socket from another thread ends a greenlet's blocked read with SocketException. */
    @Test
    void closeFromAnotherThreadEndsABlockedRead() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
            try (Socket accepted = server.accept()) {
                Greenlet<Integer> reader = hub.spawn(() -> {
                    InputStream in = client.getInputStream();
                    return in.read();
                });
                Thread.sleep(SHORT_MS);
                Thread closer = Thread.ofPlatform().start(() -> {
                    try {
                        client.close();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                closer.join();
                reader.join();
                assertThat(reader.exception()).isExactlyInstanceOf(SocketException.class).hasMessage("Socket closed");
            }
        }
        assertThat(expectReported()).hasSize(1);
    }
}
