package dev.greenlet.spring.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.monkey.Monkey;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * In a JVM of its own (the patch cannot be undone): with the monkey patch off, each RestClient
 * call holds the hub, so 20 calls of 200 ms from @Greenlet methods run one after another.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class UnpatchedFanOutTests {

    @LocalServerPort
    int port;

    @Autowired
    FanOutApplication.Caller caller;

    @Test
    void twentyCallsOfTwoHundredMillisecondsRunOneAfterAnother() {
        String url = "http://127.0.0.1:" + port + "/slow?ms=200";
        long start = System.nanoTime();
        List<String> bodies = fanOut(url, 20);
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(bodies).hasSize(20).containsOnly("ok");
        assertThat(elapsedMs).isGreaterThanOrEqualTo(20 * 200);
        assertThat(Monkey.patched()).isEmpty();
    }

    /**
     * Starts {@code calls} calls through the proxy at once, then waits for them all. (A loop
     * inside the service would call itself past the proxy and run every call in turn.)
     */
    private List<String> fanOut(String url, int calls) {
        List<java.util.concurrent.CompletableFuture<String>> futures = new java.util.ArrayList<>();
        for (int i = 0; i < calls; i++) {
            futures.add(caller.call(url));
        }
        return futures.stream().map(java.util.concurrent.CompletableFuture::join).toList();
    }
}
