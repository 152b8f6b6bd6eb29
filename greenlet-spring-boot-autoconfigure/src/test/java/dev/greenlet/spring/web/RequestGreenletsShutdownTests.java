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
import dev.greenlet.spring.GreenletHubs;
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
    private static final Pattern ALL_KILLED = Pattern.compile("All (\\d+) request greenlets killed at shutdown: (.*)");
    private static final Pattern NAMED = Pattern.compile("'GET /sleep/(\\d+)'");

    /**
     * 500 requests in flight whose ends straddle the shutdown deadline: every request named as
     * killed (each by method and path, none by a pool's name) answered 5xx or lost its connection,
     * never 200; every other one answered 200; and the close kept its limit.
     */
    @ParameterizedTest
    @ValueSource(strings = { RequestsAsGreenletsTests.JETTY_AUTO_CONFIGURATION,
            RequestsAsGreenletsTests.TOMCAT_AUTO_CONFIGURATION })
    void underFiveHundredRequestsNoRequestNamedAsKilledAnswers200(String otherServer, CapturedOutput output)
            throws Exception {
        WebApplication.reset();
        long shutdownTimeoutMs = 3_500;
        int requests = 500;
        ConfigurableApplicationContext context = new SpringApplication(WebApplication.class).run("--server.port=0",
                "--" + RequestsAsGreenletsTests.PATCH_ALL, "--" + RequestsAsGreenletsTests.WEB,
                "--spring.autoconfigure.exclude=" + otherServer, "--server.shutdown=graceful",
                "--greenlet.shutdown.timeout=" + shutdownTimeoutMs + "ms", "--spring.jmx.enabled=false",
                "--logging.level.dev.greenlet.spring.web.GreenletRequestExecutor=debug");
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        int logStart = output.getAll().length();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
                HttpClient client = HttpClient.newBuilder().executor(threads).version(HttpClient.Version.HTTP_1_1)
                        .build()) {
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                // 3,000 to 3,798 ms, straddling the deadline (3,500 ms after close begins), then a minute
                long ms = i < 400 ? 3_000 + i * 2L : 60_000;
                responses.add(send(client, port, "/sleep/" + i + "?ms=" + ms));
            }
            RequestsAsGreenletsTests.awaitInFlight(requests); // every one reached its handler before the close
            long start = System.nanoTime();
            context.close();
            long closeMs = (System.nanoTime() - start) / 1_000_000;

            String log = output.getAll().substring(logStart);
            Matcher all = ALL_KILLED.matcher(log);
            Matcher first = KILLED.matcher(log);
            assertThat(first.find()).as("the killed requests are logged").isTrue();
            int killedCount = Integer.parseInt(first.group(1));
            String names = all.find() ? all.group(2) : first.group(2);
            assertThat(names).as("no killed request is named after a thread pool").doesNotContain("http-request");
            java.util.Set<Integer> killed = new java.util.HashSet<>();
            Matcher named = NAMED.matcher(names);
            while (named.find()) {
                killed.add(Integer.parseInt(named.group(1)));
            }
            assertThat(killed).as("each killed request named by method and path: %s", names).hasSize(killedCount);
            assertThat(killedCount).as("some requests ended before the deadline, the rest were killed")
                    .isBetween(1, requests - 1);
            for (int i = 0; i < requests; i++) {
                if (killed.contains(i)) {
                    assertThat(failedOr5xx(responses.get(i))).as("request %d, named as killed, answered 5xx or lost its"
                            + " connection; it got: %s", i, outcome(responses.get(i))).isTrue();
                } else {
                    assertThat(responses.get(i).get(RequestsAsGreenletsTests.NO_HANG_BOUND.toSeconds(), TimeUnit.SECONDS)
                            .statusCode()).as("request %d, not named as killed", i).isEqualTo(200);
                }
            }
            assertThat(closeMs).as("closing keeps its limit: the timeout plus the kill grace, not the minute-long requests")
                    .isLessThan(shutdownTimeoutMs + GreenletHubs.KILL_GRACE.toMillis() + 1_000);
        } finally {
            context.close();
        }
    }

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

    private static String outcome(CompletableFuture<HttpResponse<String>> response) {
        try {
            HttpResponse<String> r = response.get(RequestsAsGreenletsTests.NO_HANG_BOUND.toSeconds(), TimeUnit.SECONDS);
            return r.statusCode() + " " + r.body();
        } catch (Exception e) {
            return e.toString();
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
