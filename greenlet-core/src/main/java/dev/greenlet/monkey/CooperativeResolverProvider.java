package dev.greenlet.monkey;

import dev.greenlet.Gevent;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.stream.Stream;

/**
 * The JVM's host name resolver while greenlet-core is on the class path (registered in
 * {@code META-INF/services}): it passes every lookup to the JDK's built-in resolver, through
 * {@link Gevent#offload} once {@link Monkey#patchDns()} has been called, so that a greenlet
 * gives up its hub while the lookup waits. Until then it adds nothing but one volatile read.
 */
public final class CooperativeResolverProvider extends InetAddressResolverProvider {

    private static volatile boolean loaded;

    /** Called by the JDK's ServiceLoader. */
    public CooperativeResolverProvider() {
    }

    static boolean loaded() {
        return loaded;
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        loaded = true;
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                if (!Monkey.dnsPatched()) {
                    return builtin.lookupByName(host, policy);
                }
                // Collect inside the offloaded call: the stream may resolve lazily.
                return Gevent.offload(() -> builtin.lookupByName(host, policy).toList()).stream();
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                if (!Monkey.dnsPatched()) {
                    return builtin.lookupByAddress(addr);
                }
                return Gevent.offload(() -> builtin.lookupByAddress(addr));
            }
        };
    }

    @Override
    public String name() {
        return "greenlet cooperative resolver";
    }
}
