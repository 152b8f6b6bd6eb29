package dev.greenlet.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The {@code --demo} output, in a JVM of its own (example 4 patches it half-way): each example's
 * lines under its header, as the seed document shows them for gevent.
 */
@ExtendWith(OutputCaptureExtension.class)
class DemoTests {

    @Test
    void demoPrintsTheFourExamplesAsGeventDoes(CapturedOutput output) {
        assertThat(SampleApplication.demo(new String[] {"--demo"})).as("exit code").isZero();
        Map<Integer, List<String>> sections = sections(output.getOut());
        assertThat(sections).containsOnlyKeys(1, 2, 3, 4);

        assertThat(sections.get(1)).containsExactly("Running in foo", "Explicit context to bar",
                "Explicit context switch to foo again", "Implicit context switch back to bar");

        List<String> ex2 = sections.get(2);
        assertThat(ex2.subList(0, 10)).containsExactly("Synchronous:", "Task 1 done", "Task 2 done", "Task 3 done",
                "Task 4 done", "Task 5 done", "Task 6 done", "Task 7 done", "Task 8 done", "Task 9 done");
        assertThat(ex2.get(10)).isEqualTo("Asynchronous:");
        assertThat(ex2.subList(11, ex2.size()))
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 10).mapToObj(i -> "Task " + i + " done").toList());

        List<String> ex3 = sections.get(3);
        assertThat(ex3).hasSize(5);
        assertThat(ex3.subList(0, 3)).containsExactly("Started Polling: at 0.0 seconds", "Started Polling: at 0.0 seconds",
                "Hey lets do some stuff while the greenlets poll, at 0.0 seconds");
        double firstEnd = seconds(ex3.get(3), "Ended Polling: ");
        double secondEnd = seconds(ex3.get(4), "Ended Polling: ");
        assertThat(firstEnd).as("each poll lasts its 2 s").isGreaterThanOrEqualTo(2.0);
        assertThat(secondEnd - firstEnd).as("the two polls overlapped: they end together").isLessThan(0.5);

        List<String> ex4 = sections.get(4);
        assertThat(ex4.get(0)).isEqualTo("java.net.SocksSocketImpl over sun.nio.ch.NioSocketImpl");
        assertThat(ex4.get(1)).isEqualTo("After monkey patch");
        assertThat(ex4.get(2)).isEqualTo("dev.greenlet.monkey.PatchedSocketImpl").isNotEqualTo(ex4.get(0));
        Matcher timing = Pattern.compile("(\\d+\\.\\d) seconds before the patch, (\\d+\\.\\d) seconds after").matcher(ex4.get(3));
        assertThat(timing.find()).as(ex4.get(3)).isTrue();
        double unpatched = Double.parseDouble(timing.group(1));
        double patched = Double.parseDouble(timing.group(2));
        assertThat(unpatched).as("unpatched: one call after the other").isGreaterThanOrEqualTo(0.6);
        assertThat(patched).as("patched: the calls overlap, against the serial time measured before")
                .isLessThan(unpatched * 3 / 4);
    }

    private static double seconds(String line, String prefix) {
        assertThat(line).startsWith(prefix).endsWith(" seconds");
        return Double.parseDouble(line.substring(prefix.length() + "at ".length(), line.length() - " seconds".length()));
    }

    /** The lines under each "== Example N" header (anything printed before the first header is ignored). */
    private static Map<Integer, List<String>> sections(String out) {
        Map<Integer, List<String>> sections = new TreeMap<>();
        List<String> current = null;
        for (String line : Arrays.asList(out.split("\\R"))) {
            if (line.startsWith("== Example ")) {
                current = new java.util.ArrayList<>();
                sections.put(Integer.parseInt(line.substring("== Example ".length()).trim()), current);
            } else if (current != null && !line.isEmpty()) {
                current.add(line);
            }
        }
        return sections;
    }
}
