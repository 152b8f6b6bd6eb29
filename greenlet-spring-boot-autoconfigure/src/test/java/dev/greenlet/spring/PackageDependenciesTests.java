package dev.greenlet.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The runtime classes ({@code dev.greenlet.spring} and its packages other than
 * {@code autoconfigure}) never refer to the auto-configuration, as Boot's runtime classes never
 * see theirs: values come in through constructors, so there is no package cycle. Read from the
 * sources, since javac inlines the string constants a reference would use, leaving no trace in
 * the class files.
 */
class PackageDependenciesTests {

    @Test
    void runtimeClassesDoNotReferToTheAutoConfiguration() throws IOException {
        Path root = Path.of("src/main/java/dev/greenlet/spring");
        assertThat(root).isDirectory();
        List<Path> offenders;
        try (Stream<Path> files = Files.walk(root)) {
            offenders = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> !root.relativize(f).startsWith("autoconfigure"))
                    .filter(f -> read(f).contains("dev.greenlet.spring.autoconfigure"))
                    .toList();
        }
        assertThat(offenders).as("runtime classes that refer to dev.greenlet.spring.autoconfigure").isEmpty();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException("reading " + file, e);
        }
    }
}
