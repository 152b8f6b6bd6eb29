package dev.greenlet.monkey;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketImplFactory;
import dev.greenlet.Hub;
import java.net.http.HttpClient;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * gevent's monkey patching for the JVM: opt-in, JVM-wide and irreversible, it makes blocking
 * socket clients cooperative, so a greenlet blocked in a socket read lets the other greenlets
 * of its hub run, and one hub keeps thousands of calls in flight with unchanged client code.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     Monkey.patchAll();            // first thing, before any socket exists
 *     ...
 * }
 * }</pre>
 *
 * <h2>What it reaches</h2>
 * <ul>
 * <li>{@link #patchSocket()}: every {@link java.net.Socket} and {@link java.net.ServerSocket}
 * created afterwards, through the JDK's socket factories, and so every client built on them:
 * {@code HttpURLConnection}, Apache HttpClient classic, JDBC drivers (PostgreSQL, MariaDB,
 * MySQL), Jedis, JavaMail, and TLS layered on them ({@code SSLSocket}). In a greenlet, connect,
 * accept, read and write give up the hub while they wait ({@link dev.greenlet.Gevent#offload});
 * on any other thread they pass straight through. Sockets behave exactly as unpatched ones:
 * timeouts, half-close, options, exceptions.</li>
 * <li>{@link #patchDns()}: host name lookups ({@code InetAddress.getByName}) in a greenlet wait
 * cooperatively, through the {@code InetAddressResolverProvider} this library registers (inert
 * until patched).</li>
 * <li>The JDK {@link HttpClient} is NIO inside and no factory reaches it: wrap it with
 * {@link #cooperative(HttpClient)}, whose {@code send} waits cooperatively.</li>
 * </ul>
 *
 * <h2>What it cannot reach, and the cooperative replacement</h2>
 * <table class="striped">
 * <caption>Limits of the patch</caption>
 * <tr><th>not patched</th><th>use instead</th></tr>
 * <tr><td>NIO {@code SocketChannel}s and clients built on them (Netty, the JDK HttpClient, Lettuce)</td>
 *     <td>{@link dev.greenlet.select.Select}, {@link #cooperative(HttpClient)}, or {@code Gevent.await(future)} on their async API</td></tr>
 * <tr><td>sockets through a SOCKS or HTTP proxy ({@code new Socket(proxy)})</td><td>{@code Gevent.offload(...)} around the call</td></tr>
 * <tr><td>{@code Thread.sleep}</td><td>{@code Gevent.sleep}</td></tr>
 * <tr><td>{@code java.util.concurrent} locks, queues, latches</td><td>the hub's primitives ({@code dev.greenlet.lock}, {@code .queue}, {@code .event})</td></tr>
 * <tr><td>file I/O, any other blocking call</td><td>{@code Gevent.offload(...)}</td></tr>
 * </table>
 *
 * <h2>Why first, and the risks</h2>
 * The patch reaches sockets created after it: a connection pool opened before it keeps
 * unpatched sockets that stall the hub. Patch at the very start of {@code main} (the Spring
 * starter does it from {@code application.properties} before any bean exists). As gevent's
 * documentation warns, this is a "useful evil": the whole JVM, every library in it, sees the
 * replaced implementation; the JDK lets a socket factory be installed once per JVM, so no other
 * library can install one afterwards (and if one did first, patching fails and names it); and
 * it cannot be undone. Patch only what you need, and prefer explicit {@code offload} where a
 * single call is the problem.
 *
 * <p>All methods are idempotent and thread-safe.
 */
public final class Monkey {

    /** The name {@link #isPatched} and {@link #patched()} use for {@link #patchSocket()}. */
    public static final String SOCKET = "socket";
    /**
     * The name {@link #isPatched} and {@link #patched()} use for the carrier engine that
     * {@link #patchAll()} selects (gevent's {@code patch_thread}: locks and threads cooperate).
     */
    public static final String THREAD = "thread";
    /** The name {@link #isPatched} and {@link #patched()} use for {@link #patchDns()}. */
    public static final String DNS = "dns";

    private static final Set<String> PATCHED = Collections.synchronizedSet(new LinkedHashSet<>());
    private static volatile boolean dnsPatched;

    private Monkey() {
    }

    /**
     * Makes every {@code Socket} and {@code ServerSocket} created from now on cooperative in
     * greenlets (see the class comment). JVM-wide and irreversible.
     *
     * @throws IllegalStateException if another socket factory is installed already; the
     *         message names it where the JVM allows (with
     *         {@code --add-opens java.base/java.net=ALL-UNNAMED})
     */
    @SuppressWarnings("deprecation") // the socket factories are deprecated, and still the only JVM-wide hook
    public static synchronized void patchSocket() {
        if (PATCHED.contains(SOCKET)) {
            return;
        }
        SocketImplFactory clients = () -> new PatchedSocketImpl(false);
        SocketImplFactory servers = () -> new PatchedSocketImpl(true);
        try {
            Socket.setSocketImplFactory(clients);
        } catch (SocketException e) {
            throw foreignFactory("Socket.setSocketImplFactory", Socket.class, e);
        } catch (IOException e) {
            throw new IllegalStateException("Monkey.patchSocket(): installing the socket factory failed", e);
        }
        try {
            ServerSocket.setSocketFactory(servers);
        } catch (IOException e) {
            throw foreignFactory("ServerSocket.setSocketFactory", ServerSocket.class, e);
        }
        PATCHED.add(SOCKET);
    }

    private static IllegalStateException foreignFactory(String what, Class<?> owner, Exception cause) {
        String name;
        try {
            Field f = owner.getDeclaredField("factory");
            f.setAccessible(true);
            Object factory = f.get(null);
            name = factory == null ? "unknown" : factory.getClass().getName();
        } catch (ReflectiveOperationException | RuntimeException notOpen) {
            name = "unknown: the JDK does not tell which; run with --add-opens java.base/java.net=ALL-UNNAMED to see it";
        }
        return new IllegalStateException("Monkey.patchSocket(): this JVM already has a socket factory (" + name
                + "), installed through " + what + " by another library; the JDK allows one per JVM."
                + " Remove the other factory, or do without the socket patch and use Gevent.offload(...)", cause);
    }

    /**
     * Makes host name lookups in greenlets cooperative. JVM-wide and irreversible.
     *
     * @throws IllegalStateException if this library's resolver is not the JVM's (another
     *         {@code InetAddressResolverProvider} was found first)
     */
    public static synchronized void patchDns() {
        if (PATCHED.contains(DNS)) {
            return;
        }
        dnsPatched = true;
        try {
            // The first lookup loads the JVM's resolver; make sure that it is ours.
            java.net.InetAddress.getByName("localhost");
        } catch (java.net.UnknownHostException ignored) {
            // A machine without a localhost entry still loaded the resolver; the check below decides.
        }
        if (!CooperativeResolverProvider.loaded()) {
            dnsPatched = false;
            throw new IllegalStateException("Monkey.patchDns(): the JVM uses another InetAddressResolverProvider than"
                    + " dev.greenlet.monkey.CooperativeResolverProvider (found first by the ServiceLoader);"
                    + " remove the other provider or do without the DNS patch");
        }
        PATCHED.add(DNS);
    }

    /**
     * gevent's {@code patch_all()}: every hub created from now on runs on the
     * {@linkplain Hub.Engine#CARRIER carrier engine}, so every call that parks a virtual thread
     * is a cooperative point in its greenlets (sockets, the JDK {@code HttpClient},
     * {@code Thread.sleep}, {@code synchronized}, {@code java.util.concurrent} locks, queues
     * and futures, connection pools), and host name lookups are patched ({@link #patchDns()}).
     * JVM-wide and irreversible; call it first thing in {@code main}, before any hub exists (the
     * Spring starter does, from {@code greenlet.monkey.patch-all}). A hub created before keeps
     * its engine ({@link Hub#engine()} says which); the default hub, if it exists and has no
     * live greenlet, is replaced by one on the carrier engine at its next use.
     *
     * <p>It installs no socket factory: on the carrier engine the JDK's own sockets already wait
     * cooperatively, and the factory, which the JDK allows once per JVM, stays free. Call
     * {@link #patchSocket()} as well if hubs on the permit engine must cooperate in sockets.
     *
     * @throws IllegalStateException if this JVM cannot run the carrier engine: older than JDK
     *         24, or started without {@code --add-opens java.base/java.lang=ALL-UNNAMED}; the
     *         message says what is missing and where to put the flag. It never falls back to
     *         the permit engine silently.
     */
    public static synchronized void patchAll() {
        String why = Hub.Engine.CARRIER.unavailableReason();
        if (why != null) {
            throw new IllegalStateException("Monkey.patchAll(): " + why);
        }
        Hub.Engine.selectForNewHubs(Hub.Engine.CARRIER);
        PATCHED.add(THREAD);
        patchDns();
    }

    /**
     * Whether the named part is patched (gevent's {@code is_module_patched}): {@link #THREAD}
     * once {@link #patchAll()} selected the carrier engine; {@link #SOCKET} once
     * {@link #patchSocket()} ran, or once the carrier engine is selected (its greenlets wait
     * cooperatively in every socket); {@link #DNS} once {@link #patchDns()} ran.
     */
    public static boolean isPatched(String name) {
        boolean threadPatched = Hub.Engine.forNewHubs() == Hub.Engine.CARRIER;
        if (THREAD.equals(name)) {
            return threadPatched;
        }
        return PATCHED.contains(name) || SOCKET.equals(name) && threadPatched;
    }

    /** What is patched, in the order it was patched. */
    public static Set<String> patched() {
        synchronized (PATCHED) {
            return Set.copyOf(new LinkedHashSet<>(PATCHED));
        }
    }

    static boolean dnsPatched() {
        return dnsPatched;
    }

    /**
     * A JDK {@link HttpClient} whose {@code send} waits cooperatively in a greenlet (through
     * {@code sendAsync}); everything else passes through to {@code client}. Killing the
     * greenlet cancels the request. Wrapping twice returns the same wrapper.
     */
    public static HttpClient cooperative(HttpClient client) {
        return client instanceof CooperativeHttpClient c ? c : new CooperativeHttpClient(client);
    }

    /**
     * The class of the {@code SocketImpl} behind a socket, for the seed's example 4 and for
     * diagnostics; where the JDK wraps one implementation in another (its proxy support), both:
     * {@code "java.net.SocksSocketImpl over sun.nio.ch.NioSocketImpl"}. The JDK keeps those
     * fields private: this needs {@code --add-opens java.base/java.net=ALL-UNNAMED}, and says so
     * when it is missing.
     */
    public static String implementationOf(Socket socket) {
        try {
            Field f = Socket.class.getDeclaredField("impl");
            f.setAccessible(true);
            SocketImpl impl = (SocketImpl) f.get(socket);
            if (impl == null) {
                return "none";
            }
            StringBuilder chain = new StringBuilder(impl.getClass().getName());
            for (Class<?> c = impl.getClass(); c != null; c = c.getSuperclass()) {
                if (c.getName().equals("java.net.DelegatingSocketImpl")) {
                    Field d = c.getDeclaredField("delegate");
                    d.setAccessible(true);
                    chain.append(" over ").append(d.get(impl).getClass().getName());
                    break;
                }
            }
            return chain.toString();
        } catch (ReflectiveOperationException | RuntimeException closed) {
            return "unknown: add --add-opens java.base/java.net=ALL-UNNAMED to the JVM's options to see it";
        }
    }
}
