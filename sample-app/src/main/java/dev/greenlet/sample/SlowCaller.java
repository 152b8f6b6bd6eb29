package dev.greenlet.sample;

import dev.greenlet.spring.Greenlet;
import java.util.concurrent.CompletableFuture;
import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClient;

/** Makes one call to the slow endpoint, as a greenlet; the fan-out starts many at once. */
@Service
public class SlowCaller {

    /** The slow endpoint, as a URI template. */
    public static final String SLOW_URI = "http://127.0.0.1:{port}/slow?ms={ms}";

    private final RestClient client;

    public SlowCaller(RestClient.Builder builder) {
        this.client = builder.build();
    }

    /**
     * GETs {@code /slow?ms={ms}} on {@code 127.0.0.1:{port}} and returns how many milliseconds the
     * call took. The URI is a template with variables, so the client metrics' {@code uri} tag is
     * the template, one value however many distinct delays are asked for.
     */
    @Greenlet
    public CompletableFuture<Long> call(int port, long ms) {
        return CompletableFuture.completedFuture(time(port, ms));
    }

    /** The same call in the calling greenlet or thread: what the fan-out's pool runs, one per member. */
    public long time(int port, long ms) {
        long start = System.nanoTime();
        client.get().uri(SLOW_URI, port, ms).retrieve().body(String.class);
        return (System.nanoTime() - start) / 1_000_000;
    }
}
