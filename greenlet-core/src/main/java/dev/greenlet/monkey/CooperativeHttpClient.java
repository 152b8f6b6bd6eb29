package dev.greenlet.monkey;

import dev.greenlet.Gevent;
import dev.greenlet.GreenletExit;
import dev.greenlet.Timeout;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A JDK {@link HttpClient} whose blocking {@link #send} waits cooperatively in a greenlet, from
 * {@link Monkey#cooperative(HttpClient)}. The JDK client is NIO inside, out of the socket
 * patch's reach, and its {@code send} blocks on a future; this one calls {@code sendAsync} and
 * waits for the future with {@link Gevent#await}, so the hub's other greenlets run meanwhile.
 * A kill or {@link Timeout} of the waiting greenlet cancels the request. On plain threads and
 * inside {@code offload} it is the wrapped client's own {@code send}. Everything else passes
 * through.
 */
final class CooperativeHttpClient extends HttpClient {

    private final HttpClient delegate;

    CooperativeHttpClient(HttpClient delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "client");
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        if (!Gevent.isCooperative()) {
            return delegate.send(request, handler);
        }
        CompletableFuture<HttpResponse<T>> response = delegate.sendAsync(request, handler);
        try {
            return Gevent.await(response);
        } catch (GreenletExit | Timeout stop) {
            response.cancel(true);
            throw stop;
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                // Rethrow as send() does: a fresh exception of the same kind keeps the caller's stack.
                throw copyOf(io);
            }
            throw e;
        }
    }

    private static IOException copyOf(IOException io) {
        try {
            IOException copy = io.getClass().getConstructor(String.class).newInstance(io.getMessage());
            copy.initCause(io);
            return copy;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return new IOException(io.getMessage(), io);
        }
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return delegate.sendAsync(request, handler);
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
            HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
        return delegate.sendAsync(request, handler, pushPromiseHandler);
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return delegate.cookieHandler();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return delegate.connectTimeout();
    }

    @Override
    public Redirect followRedirects() {
        return delegate.followRedirects();
    }

    @Override
    public Optional<ProxySelector> proxy() {
        return delegate.proxy();
    }

    @Override
    public SSLContext sslContext() {
        return delegate.sslContext();
    }

    @Override
    public SSLParameters sslParameters() {
        return delegate.sslParameters();
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return delegate.authenticator();
    }

    @Override
    public Version version() {
        return delegate.version();
    }

    @Override
    public Optional<Executor> executor() {
        return delegate.executor();
    }

    @Override
    public WebSocket.Builder newWebSocketBuilder() {
        return delegate.newWebSocketBuilder();
    }

    @Override
    public void shutdown() {
        delegate.shutdown();
    }

    @Override
    public boolean awaitTermination(Duration duration) throws InterruptedException {
        return delegate.awaitTermination(duration);
    }

    @Override
    public boolean isTerminated() {
        return delegate.isTerminated();
    }

    @Override
    public void shutdownNow() {
        delegate.shutdownNow();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return "cooperative " + delegate;
    }
}
