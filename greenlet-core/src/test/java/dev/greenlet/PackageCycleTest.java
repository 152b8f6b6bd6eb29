package dev.greenlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No package of the core depends, directly or through others, on itself (docs/ARCHITECTURE.md,
 * section 1): read from the compiled classes' constant pools, as jdeps does, so that any
 * reference counts, a fully qualified name in a method body included.
 */
class PackageCycleTest {

    private static final Pattern REFERENCE = Pattern.compile("dev/greenlet/((?:[a-z]+/)*)[A-Z]");

    @Test
    void theCorePackagesFormNoCycle() throws IOException, URISyntaxException {
        Path classes = Path.of(Hub.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(classes.resolve("dev/greenlet"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String pkg = classes.relativize(f.getParent()).toString().replace('\\', '/').replace('/', '.');
                String text = new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1);
                Matcher m = REFERENCE.matcher(text);
                while (m.find()) {
                    String target = ("dev/greenlet/" + m.group(1)).replaceAll("/$", "").replace('/', '.');
                    if (!target.equals(pkg)) {
                        uses.computeIfAbsent(pkg, k -> new LinkedHashSet<>()).add(target);
                    }
                }
            }
        }
        assertThat(uses).as("packages found").containsKey("dev.greenlet.event");
        for (String start : uses.keySet()) {
            List<String> cycle = cycleThrough(start, start, uses, new ArrayList<>(List.of(start)), new LinkedHashSet<>());
            assertThat(cycle).as("a package cycle (dependencies: %s)", uses).isNull();
        }
    }

    /** A path from {@code at} back to {@code start}, or null. */
    private static List<String> cycleThrough(String start, String at, Map<String, Set<String>> uses, List<String> path,
            Set<String> seen) {
        for (String next : uses.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                List<String> found = new ArrayList<>(path);
                found.add(start);
                return found;
            }
            if (seen.add(next)) {
                path.add(next);
                List<String> found = cycleThrough(start, next, uses, path, seen);
                if (found != null) {
                    return found;
                }
                path.removeLast();
            }
        }
        return null;
    }
}
