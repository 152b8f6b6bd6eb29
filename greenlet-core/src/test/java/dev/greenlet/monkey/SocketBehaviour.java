package dev.greenlet.monkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;

/**
 * What every socket must do, patched or not, on any thread: the same checks run in the
 * unpatched fork and in the patched ones, so "the same exceptions as unpatched" is asserted,
 * not assumed. Uses only java.net, so it exercises whatever SocketImpl the JVM has.
 */
final class SocketBehaviour {

    private SocketBehaviour() {
    }

    static void all() throws Exception {
        timedReadThrowsSocketTimeoutException();
        resetMidStreamThrowsConnectionReset();
        connectToAClosedPortIsRefused();
        halfCloseDeliversEofThenTheReply();
        optionsRoundTrip();
        acceptTimesOut();
    }

    static void timedReadThrowsSocketTimeoutException() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket accepted = server.accept()) {
            client.setSoTimeout(50);
            assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            // The socket stays usable after a read timeout.
            accepted.getOutputStream().write(7);
            assertThat(client.getInputStream().read()).isEqualTo(7);
        }
    }

    static void resetMidStreamThrowsConnectionReset() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
            Socket accepted = server.accept();
            accepted.getOutputStream().write(new byte[] {1, 2, 3});
            accepted.setSoLinger(true, 0);
            accepted.close(); // linger 0: the peer gets a reset, and its unread data is dropped
            Thread.sleep(20);
            InputStream in = client.getInputStream();
            assertThatThrownBy(() -> {
                byte[] buf = new byte[16];
                while (in.read(buf) >= 0) {
                    // a reset surfaces as an exception, never as a clean end of stream
                }
            }).isExactlyInstanceOf(SocketException.class).hasMessage("Connection reset");
        }
    }

    static void connectToAClosedPortIsRefused() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        try (Socket s = new Socket()) {
            assertThatThrownBy(() -> s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000))
                    .isInstanceOf(ConnectException.class);
        }
    }

    static void halfCloseDeliversEofThenTheReply() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket accepted = server.accept()) {
            OutputStream out = client.getOutputStream();
            out.write("request".getBytes());
            client.shutdownOutput();
            assertThat(client.isOutputShutdown()).isTrue();
            byte[] got = accepted.getInputStream().readAllBytes(); // reads to EOF
            assertThat(new String(got)).isEqualTo("request");
            accepted.getOutputStream().write("reply".getBytes());
            accepted.shutdownOutput();
            assertThat(new String(client.getInputStream().readAllBytes())).isEqualTo("reply");
        }
    }

    static void optionsRoundTrip() throws Exception {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            assertThat(s.getTcpNoDelay()).isTrue();
            s.setKeepAlive(true);
            assertThat(s.getKeepAlive()).isTrue();
            s.setSoLinger(true, 3);
            assertThat(s.getSoLinger()).isEqualTo(3);
            s.setSoLinger(false, 0);
            assertThat(s.getSoLinger()).isEqualTo(-1);
            s.setReceiveBufferSize(64 * 1024);
            assertThat(s.getReceiveBufferSize()).isPositive();
            s.setSoTimeout(1234);
            assertThat(s.getSoTimeout()).isEqualTo(1234);
            s.setOption(StandardSocketOptions.SO_SNDBUF, 32 * 1024);
            assertThat(s.getOption(StandardSocketOptions.SO_SNDBUF)).isPositive();
            assertThat(s.supportedOptions()).contains(StandardSocketOptions.TCP_NODELAY);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            assertThat(s.getLocalAddress()).isEqualTo(InetAddress.getLoopbackAddress());
            assertThat(s.getLocalPort()).isPositive();
        }
    }

    static void acceptTimesOut() throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
            server.setSoTimeout(30);
            assertThat(server.getSoTimeout()).isEqualTo(30);
            assertThatThrownBy(server::accept).isInstanceOf(SocketTimeoutException.class);
            assertThat(server.getLocalPort()).isPositive();
        }
    }
}
