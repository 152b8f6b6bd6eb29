package dev.greenlet.monkey;

import dev.greenlet.Gevent;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;

/**
 * The {@link SocketImpl} that {@link Monkey#patchSocket()} installs for every {@code Socket} and
 * {@code ServerSocket} of the JVM.
 *
 * <p>Implementation overview. The JDK keeps its own implementation private, so this one
 * delegates to the socket adaptor of an NIO {@link SocketChannel} (or {@link ServerSocketChannel})
 * in blocking mode: a complete, public {@code java.net.Socket} with timed reads and accepts,
 * connect timeouts, half-close, every option, and close from another thread. Each operation
 * that can block (connect, accept, read, write) runs through {@link Gevent#offload}: in a
 * greenlet it gives up the hub's run permit while it waits, on the greenlet's own virtual
 * thread, where the JDK parks rather than blocking a carrier; on any other thread offload
 * just calls. Nothing else changes, so a patched socket behaves as an unpatched one, with the
 * same exceptions, on every thread.
 *
 * <p>Killing a greenlet blocked in one of these operations (or its {@code Timeout} firing)
 * interrupts its virtual thread, which closes the connection, as interrupting any thread
 * blocked on a socket channel does; the kill then lands. Java cannot abandon a blocking read
 * without closing the connection (gevent can: it waits on the file descriptor, not in the
 * read). The {@code Socket} object does not see that close: every later use of it throws
 * {@code SocketException("Socket closed")}, and closing it is still right.
 *
 * <p>NIO reports a closed channel with its own exceptions; they are translated to the ones the
 * JDK's own socket implementation throws ({@code SocketException} "Socket closed", "Closed by
 * interrupt"), so that callers see no difference.
 */
final class PatchedSocketImpl extends SocketImpl {

    private final boolean server;
    private Socket socket;               // client: the delegate, null until created or accepted
    private ServerSocket serverSocket;   // server: the delegate
    private InetSocketAddress bindTo;    // server: bind() records it, listen() binds with the backlog
    private InputStream in;
    private OutputStream out;

    PatchedSocketImpl(boolean server) {
        this.server = server;
    }

    @Override
    protected void create(boolean stream) throws IOException {
        if (!stream) {
            throw new IOException("the patched SocketImpl supports stream sockets only");
        }
        if (server) {
            serverSocket = ServerSocketChannel.open().socket();
        } else {
            socket = SocketChannel.open().socket();
        }
    }

    /** Takes over a connection accepted by a server impl. */
    private void attach(Socket accepted) throws IOException {
        if (socket != null) {
            socket.close(); // an unconnected channel created for this impl before the accept
        }
        socket = accepted;
        in = null;
        out = null;
        fd = new FileDescriptor();
        address = accepted.getInetAddress();
        port = accepted.getPort();
        localport = accepted.getLocalPort();
    }

    private Socket client() throws SocketException {
        if (socket == null) {
            throw new SocketException("socket not created");
        }
        return socket;
    }

    @Override
    protected void connect(String host, int port) throws IOException {
        connect(new InetSocketAddress(host, port), 0);
    }

    @Override
    protected void connect(InetAddress address, int port) throws IOException {
        connect(new InetSocketAddress(address, port), 0);
    }

    /** A blocking socket call, with NIO's closed-channel exceptions translated. */
    @FunctionalInterface
    private interface IoCall<T> {
        T call() throws IOException;
    }

    /** Runs {@code call} through {@link Gevent#offload}, translating as the JDK's own socket implementation would. */
    static <T> T cooperatively(IoCall<T> call) throws IOException {
        dev.greenlet.Greenlet<?> g = Gevent.getCurrent();
        if (g != null && g.hub().parksCooperatively()) {
            // The channel parks the greenlet's virtual thread, which is a cooperative point
            // already (the carrier engine); offload would only move the call to another thread.
            return translated(call);
        }
        return Gevent.offload(() -> translated(call));
    }

    private static <T> T translated(IoCall<T> call) throws IOException {
        {
            try {
                return call.call();
            } catch (ClosedByInterruptException e) {
                throw withCause(new SocketException("Closed by interrupt"), e);
            } catch (ClosedChannelException e) { // includes AsynchronousCloseException
                throw withCause(new SocketException("Socket closed"), e);
            }
        }
    }

    private static SocketException withCause(SocketException e, Throwable cause) {
        e.initCause(cause);
        return e;
    }

    @Override
    protected void connect(SocketAddress endpoint, int timeout) throws IOException {
        Socket s = client();
        cooperatively(() -> {
            s.connect(endpoint, timeout);
            return null;
        });
        address = s.getInetAddress();
        port = s.getPort();
        localport = s.getLocalPort();
    }

    @Override
    protected void bind(InetAddress host, int port) throws IOException {
        InetSocketAddress local = new InetSocketAddress(host, port);
        if (server) {
            bindTo = local;
        } else {
            client().bind(local);
            localport = socket.getLocalPort();
        }
    }

    @Override
    protected void listen(int backlog) throws IOException {
        if (!server) {
            throw new SocketException("listen on a client socket");
        }
        serverSocket.bind(bindTo, backlog);
        localport = serverSocket.getLocalPort();
    }

    @Override
    protected void accept(SocketImpl s) throws IOException {
        if (!(s instanceof PatchedSocketImpl target)) {
            throw new IOException("a patched ServerSocket accepts into patched sockets only, not " + s.getClass());
        }
        ServerSocket ss = serverSocket;
        Socket accepted = cooperatively(ss::accept);
        target.attach(accepted);
    }

    @Override
    protected InputStream getInputStream() throws IOException {
        if (in == null) {
            in = new CooperativeInputStream(client().getInputStream());
        }
        return in;
    }

    @Override
    protected OutputStream getOutputStream() throws IOException {
        if (out == null) {
            out = new CooperativeOutputStream(client().getOutputStream());
        }
        return out;
    }

    @Override
    protected int available() throws IOException {
        return client().getInputStream().available();
    }

    @Override
    protected void close() throws IOException {
        if (socket != null) {
            socket.close();
        }
        if (serverSocket != null) {
            serverSocket.close();
        }
    }

    @Override
    protected void shutdownInput() throws IOException {
        client().shutdownInput();
    }

    @Override
    protected void shutdownOutput() throws IOException {
        client().shutdownOutput();
    }

    @Override
    protected boolean supportsUrgentData() {
        return false;
    }

    @Override
    protected void sendUrgentData(int data) throws IOException {
        client().sendUrgentData(data);
    }

    @Override
    protected InetAddress getInetAddress() {
        if (server) {
            return serverSocket == null ? null : serverSocket.getInetAddress();
        }
        return socket == null ? null : socket.getInetAddress();
    }

    @Override
    protected int getPort() {
        return socket == null ? 0 : socket.getPort();
    }

    @Override
    protected int getLocalPort() {
        if (server) {
            return serverSocket == null ? -1 : serverSocket.getLocalPort();
        }
        return socket == null ? -1 : socket.getLocalPort();
    }

    // ---------------------------------------------------------------- options

    @Override
    protected <T> void setOption(SocketOption<T> name, T value) throws IOException {
        if (server) {
            serverSocket.setOption(name, value);
        } else {
            client().setOption(name, value);
        }
    }

    @Override
    protected <T> T getOption(SocketOption<T> name) throws IOException {
        return server ? serverSocket.getOption(name) : client().getOption(name);
    }

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        return server ? serverSocket.supportedOptions() : socket.supportedOptions();
    }

    @Override
    public void setOption(int optID, Object value) throws SocketException {
        if (server) {
            switch (optID) {
                case SO_TIMEOUT -> serverSocket.setSoTimeout((Integer) value);
                case SO_RCVBUF -> serverSocket.setReceiveBufferSize((Integer) value);
                case SO_REUSEADDR -> serverSocket.setReuseAddress((Boolean) value);
                case SO_REUSEPORT -> setStandard(StandardSocketOptions.SO_REUSEPORT, (Boolean) value);
                default -> throw new SocketException("option " + optID + " is not supported on a server socket");
            }
            return;
        }
        Socket s = client();
        switch (optID) {
            case TCP_NODELAY -> s.setTcpNoDelay((Boolean) value);
            case SO_TIMEOUT -> s.setSoTimeout((Integer) value);
            case SO_SNDBUF -> s.setSendBufferSize((Integer) value);
            case SO_RCVBUF -> s.setReceiveBufferSize((Integer) value);
            case SO_KEEPALIVE -> s.setKeepAlive((Boolean) value);
            case SO_OOBINLINE -> s.setOOBInline((Boolean) value);
            case SO_REUSEADDR -> s.setReuseAddress((Boolean) value);
            case IP_TOS -> s.setTrafficClass((Integer) value);
            case SO_REUSEPORT -> setStandard(StandardSocketOptions.SO_REUSEPORT, (Boolean) value);
            case SO_LINGER -> {
                if (value instanceof Integer seconds) {
                    s.setSoLinger(true, seconds);
                } else {
                    s.setSoLinger(false, 0);
                }
            }
            default -> throw new SocketException("option " + optID + " is not supported");
        }
    }

    private <T> void setStandard(SocketOption<T> name, T value) throws SocketException {
        try {
            setOption(name, value);
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException(e.getMessage());
        }
    }

    @Override
    public Object getOption(int optID) throws SocketException {
        if (server) {
            return switch (optID) {
                case SO_TIMEOUT -> {
                    try {
                        yield serverSocket.getSoTimeout();
                    } catch (IOException e) {
                        throw new SocketException(e.getMessage());
                    }
                }
                case SO_RCVBUF -> serverSocket.getReceiveBufferSize();
                case SO_REUSEADDR -> serverSocket.getReuseAddress();
                case SO_BINDADDR -> serverSocket.getInetAddress();
                default -> throw new SocketException("option " + optID + " is not supported on a server socket");
            };
        }
        Socket s = client();
        return switch (optID) {
            case TCP_NODELAY -> s.getTcpNoDelay();
            case SO_TIMEOUT -> s.getSoTimeout();
            case SO_SNDBUF -> s.getSendBufferSize();
            case SO_RCVBUF -> s.getReceiveBufferSize();
            case SO_KEEPALIVE -> s.getKeepAlive();
            case SO_OOBINLINE -> s.getOOBInline();
            case SO_REUSEADDR -> s.getReuseAddress();
            case IP_TOS -> s.getTrafficClass();
            case SO_BINDADDR -> s.getLocalAddress();
            case SO_LINGER -> {
                int linger = s.getSoLinger();
                yield linger < 0 ? Boolean.FALSE : Integer.valueOf(linger);
            }
            default -> throw new SocketException("option " + optID + " is not supported");
        };
    }

    @Override
    public String toString() {
        return "PatchedSocketImpl[" + (server ? serverSocket : socket) + "]";
    }

    /** Reads through {@link Gevent#offload}: a greenlet gives up the hub while it waits for data. */
    private static final class CooperativeInputStream extends InputStream {
        private final InputStream in;

        CooperativeInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            return cooperatively(in::read);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return cooperatively(() -> in.read(b, off, len));
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** Writes through {@link Gevent#offload}: a greenlet gives up the hub while the send buffer is full. */
    private static final class CooperativeOutputStream extends OutputStream {
        private final OutputStream out;

        CooperativeOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            cooperatively(() -> {
                out.write(b);
                return null;
            });
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            cooperatively(() -> {
                out.write(b, off, len);
                return null;
            });
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
