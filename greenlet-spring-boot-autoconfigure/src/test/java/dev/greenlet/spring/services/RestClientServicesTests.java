package dev.greenlet.spring.services;

import static dev.greenlet.spring.services.ServicesSupport.LONG_WAIT;
import static dev.greenlet.spring.services.ServicesSupport.NO_HANG_BOUND;
import static dev.greenlet.spring.services.ServicesSupport.assertEndsKilled;
import static dev.greenlet.spring.services.ServicesSupport.awaitInside;
import static dev.greenlet.spring.services.ServicesSupport.fanOut;
import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Hub;
import dev.greenlet.spring.services.ServicesSupport.FanOut;
import dev.greenlet.spring.services.ServicesSupport.HubCounts;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.test.context.ActiveProfiles;

/**
 * RestClient calls from {@code @Greenlet} methods, with {@code greenlet.monkey.patch-all} and no
 * cooperative wrapper ({@code greenlet.monkey.patch-http-clients} is off): Boot's default request
 * factory, the JDK HttpClient, against this test's own web server on a random port. The server
 * runs the slow endpoint on its own threads, not in greenlets.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("services")
class RestClientServicesTests {

    static final Duration CALL = Duration.ofMillis(100);

    @LocalServerPort
    int port;

    @Autowired
    ServicesApplication.Calls calls;

    @Autowired
    ServicesApplication.SlowController server;

    @Autowired
    ClientHttpRequestFactoryBuilder<?> requestFactoryBuilder;

    @Autowired
    Hub hub;

    String slow(Duration d) {
        return "http://127.0.0.1:" + port + "/slow?ms=" + d.toMillis();
    }

    @Test
    void theRequestFactoryIsBootsDefaultJdkHttpClientWithoutAWrapper() {
        assertThat(requestFactoryBuilder.build(HttpClientSettings.defaults()))
                .isExactlyInstanceOf(JdkClientHttpRequestFactory.class);
    }

    @Test
    void fiftyCallsOfAHundredMillisecondsOverlap() {
        int n = 50;
        FanOut<String> fanOut = fanOut(n, i -> calls.get(slow(CALL)), NO_HANG_BOUND);
        assertThat(fanOut.results()).hasSize(n).containsOnly("ok");
        Duration serial = CALL.multipliedBy(n);
        assertThat(fanOut.elapsed()).as("%d calls of %s one after another: %s", n, CALL, serial)
                .isGreaterThanOrEqualTo(CALL).isLessThan(serial.dividedBy(2));
    }

    /** Thread.sleep gives the hub up as any other wait does: the calls still overlap. */
    @Test
    void threadSleepBeforeEachCallLetsTheCallsOverlap() {
        int n = 20;
        Duration sleep = Duration.ofMillis(50);
        FanOut<String> fanOut = fanOut(n, i -> calls.sleepThenGet(sleep, slow(CALL)), NO_HANG_BOUND);
        assertThat(fanOut.results()).hasSize(n).containsOnly("ok");
        Duration serial = CALL.plus(sleep).multipliedBy(n);
        assertThat(fanOut.elapsed()).as("%d x (sleep %s + call %s) one after another: %s", n, sleep, CALL, serial)
                .isLessThan(serial.dividedBy(2));
    }

    /** The monitor runs the calls one at a time; the greenlets waiting for it must not hang the hub. */
    @Test
    void aSynchronizedBlockHeldAcrossTheCallDoesNotHang() {
        int n = 10;
        assertThat(fanOut(n, i -> calls.getHoldingMonitor(slow(CALL)), NO_HANG_BOUND).results())
                .hasSize(n).containsOnly("ok");
    }

    @Test
    void aReentrantLockHeldAcrossTheCallDoesNotHang() {
        int n = 10;
        assertThat(fanOut(n, i -> calls.getHoldingLock(slow(CALL)), NO_HANG_BOUND).results())
                .hasSize(n).containsOnly("ok");
    }

    /**
     * A greenlet killed while it waits for a slow answer ends killed, whatever the HttpClient
     * and RestClient made of the interrupt, and the next call works.
     */
    @Test
    void aGreenletKilledInACallEndsKilledAndTheClientStaysUsable() {
        String tag = "kill-" + System.nanoTime();
        HubCounts before = HubCounts.of(hub);
        dev.greenlet.Greenlet<String> g = calls.spawnGet(slow(LONG_WAIT) + "&tag=" + tag);
        awaitInside(g, "a call the server answers in " + LONG_WAIT, () -> server.arrived(tag));
        g.kill(false, null);
        assertEndsKilled(g, hub, before);
        assertThat(calls.get(slow(Duration.ZERO)).orTimeout(30, TimeUnit.SECONDS).join()).isEqualTo("ok");
    }
}
