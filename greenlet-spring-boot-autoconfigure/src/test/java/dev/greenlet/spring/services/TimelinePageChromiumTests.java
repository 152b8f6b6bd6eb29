package dev.greenlet.spring.services;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.spring.web.TimelineEndpointTests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The timeline page of an application under load on request greenlets, loaded from the running
 * application on loopback into a real headless Chromium (Debian's {@code chromium}, which
 * {@code .ci/run} installs): its script ran and drew the turns (the DOM it built holds the
 * status line, a turn per request name, the names' legend and the stall in red).
 *
 * <p>With {@code -Dgreenlet.timeline.screenshot=docs/timeline.png} it also writes the picture
 * the README shows.
 */
class TimelinePageChromiumTests {

    static final Path CHROMIUM = Path.of(System.getProperty("greenlet.chromium", "/usr/bin/chromium"));
    static final long BOUND_SECONDS = 90;

    @Test
    void thePageRendersInHeadlessChromium() throws Exception {
        assertThat(Files.isExecutable(CHROMIUM)).as("no Chromium at %s: install Debian's chromium package "
                + "(apt-get install -y chromium; .ci/run does) or name another with -Dgreenlet.chromium=PATH", CHROMIUM)
                .isTrue();
        try (ConfigurableApplicationContext context = TimelineEndpointTests.startUnderLoad()) {
            String url = "http://127.0.0.1:" + TimelineEndpointTests.port(context)
                    + "/actuator/greenlets/timeline.html?seconds=30";
            String dom = chromium(List.of("--dump-dom", url));
            Matcher status = Pattern.compile("id=\"status\">rendered (\\d+) turns on 2 hub\\(s\\)").matcher(dom);
            assertThat(status.find()).as("the page's script ran and drew the turns; DOM: %s", head(dom)).isTrue();
            assertThat(Long.parseLong(status.group(1))).isGreaterThanOrEqualTo(TimelineEndpointTests.CLIENTS
                    * TimelineEndpointTests.REQUESTS);
            assertThat(dom).as("the legend names the requests by their path template")
                    .contains("data-name=\"GET /sleep/{id}\"", "data-name=\"GET /spin\"");
            assertThat(dom).as("turns drawn").containsPattern("<rect [^>]*class=\"turn");
            assertThat(dom).as("the CPU loop drawn as a stall").containsPattern("<rect [^>]*class=\"turn[^\"]* stall\"");
            assertThat(dom).as("both hubs' tracks").contains(">hub greenlet-0<", ">hub greenlet-1<");

            String screenshot = System.getProperty("greenlet.timeline.screenshot");
            if (screenshot != null) {
                Path png = Path.of(screenshot).toAbsolutePath();
                chromium(List.of("--window-size=1400,300", "--hide-scrollbars", "--screenshot=" + png,
                        url.replace("seconds=30", "seconds=5")));
                assertThat(Files.size(png)).as("the screenshot %s", png).isPositive();
            }
        }
    }

    /** Runs headless Chromium on loopback only (no sandbox: CI runs as root), bounded; returns its standard output. */
    private static String chromium(List<String> args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("chromium-profile");
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
                "--virtual-time-budget=5000"));
        command.addAll(args);
        Path out = Files.createTempFile("chromium", ".out");
        Path err = Files.createTempFile("chromium", ".err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(p.waitFor(BOUND_SECONDS, TimeUnit.SECONDS)).as("Chromium ended within %d s", BOUND_SECONDS).isTrue();
            assertThat(p.exitValue()).as("Chromium's exit code; its stderr: %s",
                    Files.readString(err, StandardCharsets.UTF_8)).isZero();
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
    }

    private static String head(String s) {
        return s.length() <= 2000 ? s : s.substring(0, 2000) + "...";
    }
}
