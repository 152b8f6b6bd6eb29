package dev.greenlet.monkey;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.util.concurrent.Executors;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real HTTP (or HTTPS) server on 127.0.0.1 for the monkey-patch tests: {@code /slow?ms=D}
 * answers "ok" after D milliseconds. It runs on the JDK's NIO-based {@code HttpServer} with a
 * virtual thread per exchange, so the socket patch never touches it and it serves any number of
 * slow calls at once.
 */
final class LoopbackServer implements AutoCloseable {

    final HttpServer server;
    final String base;
    final SSLContext sslContext; // null for plain HTTP

    private LoopbackServer(HttpServer server, SSLContext sslContext) {
        this.server = server;
        this.sslContext = sslContext;
        server.createContext("/slow", LoopbackServer::slow);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        this.base = (sslContext == null ? "http" : "https") + "://127.0.0.1:" + server.getAddress().getPort();
    }

    static LoopbackServer http() throws IOException {
        return new LoopbackServer(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1000), null);
    }

    /** An HTTPS server whose key pair and self-signed certificate are generated here, with keytool. */
    static LoopbackServer https() throws Exception {
        SSLContext ssl = selfSignedContext();
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 1000);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        return new LoopbackServer(server, ssl);
    }

    static SSLContext selfSignedContext() throws Exception {
        File dir = Files.createTempDirectory("greenlet-tls").toFile();
        File keystore = new File(dir, "test.p12");
        String keytool = System.getProperty("java.home") + "/bin/keytool";
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "test", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.getPath(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        keystore.delete();
        dir.delete();
        return ctx;
    }

    private static void slow(HttpExchange exchange) throws IOException {
        try (exchange) {
            String query = exchange.getRequestURI().getQuery();
            long ms = query != null && query.startsWith("ms=") ? Long.parseLong(query.substring(3)) : 0;
            Thread.sleep(ms);
            byte[] body = "ok".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** GET {@code /slow?ms=D} with HttpURLConnection (HttpsURLConnection for HTTPS); returns the body. */
    String getSlow(long ms) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(base + "/slow?ms=" + ms).toURL().openConnection();
        if (c instanceof HttpsURLConnection https) {
            https.setSSLSocketFactory(sslContext.getSocketFactory());
        }
        c.setConnectTimeout(10_000);
        c.setReadTimeout(10_000);
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } finally {
            c.disconnect();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
