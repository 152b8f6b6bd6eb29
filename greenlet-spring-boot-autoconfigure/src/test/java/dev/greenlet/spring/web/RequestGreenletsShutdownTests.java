package dev.greenlet.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Graceful shutdown while request greenlets are in flight, on Tomcat and on Jetty: requests that
 * end within {@code greenlet.shutdown.timeout} answer normally; those still running then are
 * killed, each named in the log by its request; the server refuses new requests meanwhile; and
 * closing takes about the timeout, not as long as the longest request.
 */
@ExtendWith(OutputCaptureExtension.class)
class RequestGreenletsShutdownTests {

    private static final Pattern KILLED = Pattern.compile("Killed (\\d+) request greenlet\\(s\\) still running [^:]*: (.*)");

    @ParameterizedTest
    @ValueSource(strings = { RequestsAsGreenletsTests.JETTY_AUTO_CONFIGURATION,
            RequestsAsGreenletsTests.TOMCAT_AUTO_CONFIGURATION })
    void inFlightRequestsFinishWithinTheTimeoutAndTheRestAreKilledAndNamed(String otherServer, CapturedOutput output)
            throws Exception {
        WebApplication.reset();
        long shutdownTimeoutMs = 2_000;
        long longMs = 60_000;
        ConfigurableApplicationContext context = new SpringApplication(WebApplication.class).run("--server.port=0",
                "--" + RequestsAsGreenletsTests.PATCH_ALL, "--" + RequestsAsGreenletsTests.WEB,
                "--spring.autoconfigure.exclude=" + otherServer, "--server.shutdown=graceful",
                "--greenlet.shutdown.timeout=" + shutdownTimeoutMs + "ms", "--spring.jmx.enabled=false");
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
                HttpClient client = HttpClient.newBuilder().executor(threads).version(HttpClient.Version.HTTP_1_1)
                        .build()) {
            List<CompletableFuture<HttpResponse<String>>> finishing = new ArrayList<>();
            List<CompletableFuture<HttpResponse<String>>> tooLong = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                finishing.add(send(client, port, "/sleep?ms=" + shutdownTimeoutMs / 4));
            }
            for (int i = 0; i < 5; i++) {
                tooLong.add(send(client, port, "/long?ms=" + longMs));
            }
            RequestsAsGreenletsTests.awaitInFlight(25);

            long start = System.nanoTime();
            CompletableFuture<Void> closed = CompletableFuture.runAsync(context::close, threads);
            awaitOutput(output, "Commencing graceful shutdown");
            // The server stops taking requests just after it logs that: poll until it refuses one,
            // and check that this happened while the long requests were still in flight.
            long refuseDeadline = System.nanoTime() + RequestsAsGreenletsTests.NO_HANG_BOUND.toNanos();
            while (!refusedOrUnavailable(client, port)) {
                assertThat(System.nanoTime()).as("a new request refused in time").isLessThan(refuseDeadline);
                Thread.sleep(20);
            }
            assertThat(tooLong).as("new requests refused while the requests in flight still ran, as Boot refuses them")
                    .noneMatch(CompletableFuture::isDone);
            closed.get(RequestsAsGreenletsTests.NO_HANG_BOUND.toSeconds(), TimeUnit.SECONDS);
            long closeMs = (System.nanoTime() - start) / 1_000_000;

            for (CompletableFuture<HttpResponse<String>> r : finishing) {
                HttpResponse<String> response = r.get(RequestsAsGreenletsTests.NO_HANG_BOUND.toSeconds(), TimeUnit.SECONDS);
                assertThat(response.statusCode()).as("a request that ends within the timeout").isEqualTo(200);
            }
            for (CompletableFuture<HttpResponse<String>> r : tooLong) {
                assertThat(failedOr5xx(r)).as("a request killed at shutdown does not answer 200").isTrue();
            }
            assertThat(closeMs).as("closing waits about the timeout (%d ms), not for the %d ms requests",
                    shutdownTimeoutMs, longMs).isGreaterThanOrEqualTo(shutdownTimeoutMs).isLessThan(longMs / 2);
            Matcher m = KILLED.matcher(output.getAll());
            assertThat(m.find()).as("the killed requests are logged").isTrue();
            assertThat(m.group(1)).isEqualTo("5");
            assertThat(m.group(2).split(", ")).as("each killed request named by method and path")
                    .containsExactly("'GET /long'", "'GET /long'", "'GET /long'", "'GET /long'", "'GET /long'");
            assertThat(m.find()).as("logged once").isFalse();
        } finally {
            context.close();
        }
    }

    private static CompletableFuture<HttpResponse<String>> send(HttpClient client, int port, String path) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(RequestsAsGreenletsTests.NO_HANG_BOUND).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean refusedOrUnavailable(HttpClient client, int port) throws InterruptedException {
        try {
            HttpResponse<String> response = send(client, port, "/sleep?ms=1")
                    .get(RequestsAsGreenletsTests.NO_HANG_BOUND.toSeconds(), TimeUnit.SECONDS);
            return response.statusCode() == 503;
        } catch (ExecutionException e) {
            return e.getCause() instanceof IOException;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    private static boolean failedOr5xx(CompletableFuture<HttpResponse<String>> response) throws InterruptedException {
        try {
            return response.get(RequestsAsGreenletsTests.NO_HANG_BOUND.toSeconds(), TimeUnit.SECONDS).statusCode() >= 500;
        } catch (ExecutionException e) {
            return e.getCause() instanceof IOException;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    private static void awaitOutput(CapturedOutput output, String text) throws InterruptedException {
        long deadline = System.nanoTime() + RequestsAsGreenletsTests.NO_HANG_BOUND.toNanos();
        while (!output.getAll().contains(text)) {
            assertThat(System.nanoTime()).as("'%s' logged in time", text).isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
