package dev.greenlet.spring.http;

import dev.greenlet.Gevent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpResponse;

/**
 * A {@link ClientHttpRequestFactory} whose requests wait cooperatively in a greenlet: sending a
 * request and reading its response body run through {@link Gevent#offload}, so whatever client
 * library is underneath (the JDK {@code HttpClient} Boot picks by default, Apache, Jetty,
 * Reactor) blocks only the greenlet's own virtual thread while the hub's other greenlets run.
 * On a plain thread it is the wrapped factory. {@code greenlet.monkey.patch-http-clients} puts
 * it under {@code RestClient.Builder} and {@code RestTemplateBuilder}.
 */
public class CooperativeClientHttpRequestFactory implements ClientHttpRequestFactory {

    private final ClientHttpRequestFactory delegate;

    public CooperativeClientHttpRequestFactory(ClientHttpRequestFactory delegate) {
        this.delegate = delegate;
    }

    /** The factory it wraps. */
    public ClientHttpRequestFactory delegate() {
        return delegate;
    }

    @Override
    public ClientHttpRequest createRequest(URI uri, HttpMethod httpMethod) throws IOException {
        return new Request(delegate.createRequest(uri, httpMethod));
    }

    private record Request(ClientHttpRequest request) implements ClientHttpRequest {
        @Override
        public ClientHttpResponse execute() throws IOException {
            return new Response(Gevent.offload(request::execute));
        }

        @Override
        public OutputStream getBody() throws IOException {
            return request.getBody();
        }

        @Override
        public HttpMethod getMethod() {
            return request.getMethod();
        }

        @Override
        public URI getURI() {
            return request.getURI();
        }

        @Override
        public Map<String, Object> getAttributes() {
            return request.getAttributes();
        }

        @Override
        public HttpHeaders getHeaders() {
            return request.getHeaders();
        }
    }

    private record Response(ClientHttpResponse response) implements ClientHttpResponse {
        @Override
        public HttpStatusCode getStatusCode() throws IOException {
            return response.getStatusCode();
        }

        @Override
        public String getStatusText() throws IOException {
            return response.getStatusText();
        }

        @Override
        public void close() {
            response.close();
        }

        @Override
        public InputStream getBody() throws IOException {
            InputStream in = response.getBody();
            return new InputStream() {
                @Override
                public int read() throws IOException {
                    return Gevent.offload(in::read);
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return Gevent.offload(() -> in.read(b, off, len));
                }

                @Override
                public int available() throws IOException {
                    return in.available();
                }

                @Override
                public void close() throws IOException {
                    in.close();
                }
            };
        }

        @Override
        public HttpHeaders getHeaders() {
            return response.getHeaders();
        }
    }
}
