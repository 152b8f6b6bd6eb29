package dev.greenlet.monkey;

import static dev.greenlet.Gevent.joinall;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import dev.greenlet.pool.Group;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** In a JVM of its own: 64 greenlets each send and receive 16 MB through patched sockets, checksummed. */
class PatchedIntegrityTest extends HubTestSupport {

    static final int CONNECTIONS = 64;
    static final int BYTES = 16 * 1024 * 1024;

    @BeforeAll
    static void patch() {
        Monkey.patchSocket();
    }

    @Test
    void everyByteArrivesIntact() throws Exception {
        try (ServerSocket server = new ServerSocket(0, CONNECTIONS, InetAddress.getLoopbackAddress())) {
            hub.run(() -> {
                Group echoes = new Group();
                Greenlet<Void> acceptor = spawn(() -> {
                    for (int i = 0; i < CONNECTIONS; i++) {
                        Socket s = server.accept();
                        echoes.spawn(() -> echo(s));
                    }
                    return null;
                });
                List<Greenlet<long[]>> clients = new ArrayList<>();
                for (int i = 0; i < CONNECTIONS; i++) {
                    long seed = i;
                    clients.add(spawn(() -> sendAndReceive(server.getLocalPort(), seed)));
                }
                joinall(clients);
                acceptor.get();
                echoes.join(null, true);
                for (Greenlet<long[]> c : clients) {
                    long[] sums = c.get();
                    assertThat(sums[1]).as("checksum of what came back").isEqualTo(sums[0]);
                }
                return null;
            });
        }
    }

    private static Void echo(Socket s) throws Exception {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
            s.shutdownOutput();
        }
        return null;
    }

    /** Writes 16 MB of seeded random data from one greenlet while another reads the echo; returns both CRCs. */
    private static long[] sendAndReceive(int port, long seed) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            CRC32 sent = new CRC32();
            Greenlet<Void> writer = spawn(() -> {
                Random random = new Random(seed);
                byte[] chunk = new byte[32 * 1024 + (int) seed]; // uneven sizes on purpose
                OutputStream out = s.getOutputStream();
                for (int left = BYTES; left > 0; ) {
                    int n = Math.min(left, chunk.length);
                    random.nextBytes(chunk);
                    sent.update(chunk, 0, n);
                    out.write(chunk, 0, n);
                    left -= n;
                }
                s.shutdownOutput();
                return null;
            });
            CRC32 received = new CRC32();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[48 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                received.update(buf, 0, n);
                total += n;
            }
            writer.get();
            assertThat(total).isEqualTo(BYTES);
            return new long[] {sent.getValue(), received.getValue()};
        }
    }
}
