package dev.greenlet.sample;

import dev.greenlet.spring.Greenlet;
import java.util.concurrent.CompletableFuture;
import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClient;

/** Makes one call to the slow endpoint, as a greenlet; the fan-out starts many at once. */
@Service
public class SlowCaller {

    private final RestClient client;

    public SlowCaller(RestClient.Builder builder) {
        this.client = builder.build();
    }

    /** GETs {@code url} and returns how many milliseconds the call took. */
    @Greenlet
    public CompletableFuture<Long> call(String url) {
        long start = System.nanoTime();
        client.get().uri(url).retrieve().body(String.class);
        return CompletableFuture.completedFuture((System.nanoTime() - start) / 1_000_000);
    }
}
