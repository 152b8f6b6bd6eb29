package dev.greenlet.sample.examples;

import static dev.greenlet.Gevent.joinall;
import static dev.greenlet.Gevent.run;
import static dev.greenlet.Gevent.spawn;

import com.sun.net.httpserver.HttpServer;
import dev.greenlet.Greenlet;
import dev.greenlet.monkey.Monkey;
import dev.greenlet.spring.autoconfigure.GreenletProperties;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The tutorial's example 4, in Java: the implementation behind a new {@code java.net.Socket}
 * before and after {@code Monkey.patchSocket()}, and what that changes: the same blocking client
 * code, two HTTP calls of 300 ms from two greenlets, stops holding the hub once patched. In a
 * JVM patched at start-up (the sample's web mode runs patch-all) there is no "before": it says
 * so and shows the patched side only. (Java
 * has no process-wide {@code select} to patch; its counterpart is {@code Select.select}, in
 * example 3.)
 */
public final class Example4 {

    private final PrintStream out;

    public Example4(PrintStream out) {
        this.out = out;
    }

    public void main() throws Exception {
        if (Monkey.isPatched(Monkey.THREAD)) {
            // patch-all: the carrier engine makes the JDK's own sockets cooperative; nothing to compare with here.
            out.println(Monkey.implementationOf(new Socket()));
            out.println("This JVM runs the carrier engine (" + GreenletProperties.MONKEY_PATCH_ALL + "=true): the JDK's own"
                    + " socket above waits cooperatively, as every call that parks a virtual thread does, so there is"
                    + " no \"before\" to show; run the sample with --demo to see both.");
            out.println(String.format(Locale.ROOT, "Two blocking calls of 0.3 s in two greenlets, patched: %1.1f seconds",
                    twoBlockingCalls()));
            return;
        }
        if (Monkey.isPatched(Monkey.SOCKET)) {
            // The web mode patches sockets at start-up: this JVM has no unpatched socket left to show.
            out.println(Monkey.implementationOf(new Socket()));
            out.println("Sockets were patched at start-up (" + GreenletProperties.MONKEY_PATCH_SOCKET
                    + "=true), so this JVM has no \"before\" to show; run the sample with --demo to see both.");
            out.println(String.format(Locale.ROOT, "Two blocking calls of 0.3 s in two greenlets, patched: %1.1f seconds",
                    twoBlockingCalls()));
            return;
        }
        out.println(Monkey.implementationOf(new Socket()));
        double before = twoBlockingCalls();
        out.println("After monkey patch");
        Monkey.patchSocket();
        out.println(Monkey.implementationOf(new Socket()));
        double after = twoBlockingCalls();
        out.println(String.format(Locale.ROOT, "Two blocking calls of 0.3 s in two greenlets: %1.1f seconds before the patch,"
                + " %1.1f seconds after", before, after));
    }

    /** Two greenlets each GET a local endpoint that answers after 300 ms, with HttpURLConnection; returns the seconds taken. */
    private static double twoBlockingCalls() throws IOException {
        try (ExecutorService serverThreads = Executors.newVirtualThreadPerTaskExecutor()) {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10); // NIO: never patched
            server.createContext("/", exchange -> {
                try (exchange) {
                    Thread.sleep(300);
                    exchange.sendResponseHeaders(200, 2);
                    exchange.getResponseBody().write("ok".getBytes());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            server.setExecutor(serverThreads);
            server.start();
            try {
                URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
                long start = System.nanoTime();
                run(() -> {
                    List<Greenlet<byte[]>> calls = List.of(spawn(() -> get(uri)), spawn(() -> get(uri)));
                    joinall(calls);
                    calls.forEach(Greenlet::get);
                });
                return (System.nanoTime() - start) / 1e9;
            } finally {
                server.stop(0);
            }
        }
    }

    private static byte[] get(URI uri) throws IOException {
        try (InputStream in = uri.toURL().openStream()) {
            return in.readAllBytes();
        }
    }
}
