package dev.greenlet.spring.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.monkey.Monkey;
import dev.greenlet.spring.autoconfigure.GreenletProperties;
import dev.greenlet.spring.http.CooperativeClientHttpRequestFactory;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * With greenlet.monkey.patch-socket and patch-http-clients on, 20 RestClient calls of 200 ms
 * from @Greenlet methods overlap.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { GreenletProperties.MONKEY_PATCH_SOCKET + "=true", GreenletProperties.MONKEY_PATCH_HTTP_CLIENTS + "=true" })
class PatchedFanOutTests {

    @LocalServerPort
    int port;

    @Autowired
    FanOutApplication.Caller caller;

    @Autowired
    ClientHttpRequestFactoryBuilder<?> requestFactoryBuilder;

    @Test
    void twentyCallsOfTwoHundredMillisecondsOverlap() {
        String url = "http://127.0.0.1:" + port + "/slow?ms=200";
        fanOut(url, 1); // warm up
        long start = System.nanoTime();
        List<String> bodies = fanOut(url, 20);
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(bodies).hasSize(20).containsOnly("ok");
        long serialMs = 20 * 200;
        assertThat(elapsedMs).as("20 x 200 ms one after another: %d ms", serialMs).isGreaterThanOrEqualTo(200)
                .isLessThan(serialMs / 2);
    }

    @Test
    void thePatchWasAppliedBeforeTheContextAndTheRequestFactoriesAreCooperative() {
        assertThat(Monkey.isPatched(Monkey.SOCKET)).isTrue();
        assertThat(requestFactoryBuilder.build(HttpClientSettings.defaults()))
                .isInstanceOf(CooperativeClientHttpRequestFactory.class);
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
