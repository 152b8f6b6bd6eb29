package dev.greenlet.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No package cycles in the starter: the package graph (what {@code jdeps} finds in the
 * compiled classes, plus every {@code import} of the sources, which also catches a constant
 * that javac inlined, such as a {@code GreenletProperties} key in a message) must be acyclic
 * once the edges of {@link #KNOWN_BACK_EDGES} are removed, and each of those edges must still
 * exist, so that the list shrinks as they are fixed. (A copy of greenlet-core's
 * {@code PackageCyclesTest}, which this module's tests cannot see.)
 */
class PackageCyclesTest {

    /**
     * Edges that close a cycle today, each to be deleted from this list by the change that
     * removes it (the test fails on an entry that no longer exists, to say so).
     */
    private static final Set<String> KNOWN_BACK_EDGES = Set.of();

    @Test
    void starterPackagesFormNoCycle() throws IOException {
        Map<String, Set<String>> graph = packageGraph(Path.of("target/classes"), Path.of("src/main/java"), "dev.greenlet.spring");
        assertThat(graph).as("packages found under target/classes").containsKey("dev.greenlet.spring.autoconfigure");
        for (String edge : KNOWN_BACK_EDGES) {
            String[] ends = edge.split(" -> ");
            assertThat(graph.getOrDefault(ends[0], Set.of()))
                    .as("known back edge %s no longer exists: delete it from KNOWN_BACK_EDGES", edge)
                    .contains(ends[1]);
            graph.get(ends[0]).remove(ends[1]);
        }
        assertThat(cycles(graph)).as("package cycles (each a strongly connected set of packages); graph: %s", graph)
                .isEmpty();
    }

    /** Package -> packages it depends on (other than itself), all under {@code prefix}. */
    static Map<String, Set<String>> packageGraph(Path classes, Path sources, String prefix) throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError(
                "the jdeps tool is not in this JDK: run the tests on a full JDK (the build's toolchain, JDK 25)"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = jdeps.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                "-verbose:package", "-filter:none", classes.toString());
        assertThat(rc).as("jdeps on %s: %s", classes, err.toString(StandardCharsets.UTF_8)).isZero();
        Pattern edge = Pattern.compile("^\\s+(\\S+)\\s+->\\s+(\\S+)\\s+\\S.*$");
        for (String line : out.toString(StandardCharsets.UTF_8).split("\\R")) {
            Matcher m = edge.matcher(line);
            if (m.matches()) {
                add(graph, m.group(1), m.group(2), prefix);
            }
        }
        Pattern pkg = Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE);
        Pattern imp = Pattern.compile("^import\\s+(?:static\\s+)?((?:[a-z_]\\w*\\.)+)[A-Z]", Pattern.MULTILINE);
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String text = Files.readString(f);
                Matcher p = pkg.matcher(text);
                if (!p.find()) {
                    continue;
                }
                Matcher i = imp.matcher(text);
                while (i.find()) {
                    String target = i.group(1);
                    add(graph, p.group(1), target.substring(0, target.length() - 1), prefix);
                }
            }
        }
        return graph;
    }

    private static void add(Map<String, Set<String>> graph, String from, String to, String prefix) {
        if (from.startsWith(prefix) && to.startsWith(prefix)) {
            Set<String> deps = graph.computeIfAbsent(from, k -> new TreeSet<>());
            if (!from.equals(to)) {
                deps.add(to);
            }
        }
    }

    /** The strongly connected sets of more than one package (Tarjan's algorithm). */
    static List<Set<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> found = new ArrayList<>();
        int[] next = {0};
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, graph, index, low, stack, onStack, found, next);
            }
        }
        return found;
    }

    private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
            Map<String, Integer> low, Deque<String> stack, Set<String> onStack, List<Set<String>> found, int[] next) {
        index.put(v, next[0]);
        low.put(v, next[0]);
        next[0]++;
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, found, next);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                found.add(component);
            }
        }
    }
}
