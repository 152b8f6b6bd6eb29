package dev.greenlet.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the IDE shows for greenlet.* properties (the configuration processor's metadata merged with
 * {@code additional-spring-configuration-metadata.json}), and what a bad value's failure report
 * says each property takes.
 */
class ConfigurationMetadataTests {

    @Test
    void valueHintsNameRealPropertiesAndDescribeEachValue() throws Exception {
        JsonNode metadata = metadata();
        Set<String> properties = new TreeSet<>();
        metadata.get("properties").forEach(p -> properties.add(p.get("name").asString()));
        Map<String, JsonNode> hints = new HashMap<>();
        metadata.get("hints").forEach(h -> hints.put(h.get("name").asString(), h));
        assertThat(hints.keySet()).as("hinted properties").isNotEmpty().allSatisfy(name -> assertThat(properties).contains(name));
        hints.values().forEach(h -> h.get("values").forEach(v -> assertThat(v.get("description").asString())
                .as("description of %s=%s", h.get("name").asString(), v.get("value")).isNotBlank()));
        assertThat(hints.get(GreenletProperties.MONKEY_PATCH_ALL).toString())
                .contains("--add-opens java.base/java.lang=ALL-UNNAMED").contains("JDK 24+");
        assertThat(hints.get(GreenletProperties.MONKEY_PATCH_SOCKET).toString()).contains("deadlock")
                .contains("Prefer greenlet.monkey.patch-all");
    }

    /** Each property a user can set has a line in the failure report's Action, so a new one cannot be forgotten. */
    @Test
    void theFailureReportSaysWhatEveryPropertyTakes() throws Exception {
        Set<String> properties = new TreeSet<>();
        metadata().get("properties").forEach(p -> {
            String name = p.get("name").asString();
            if (name.startsWith(GreenletProperties.PREFIX + ".")) {
                properties.add(name);
            }
        });
        assertThat(GreenletPropertiesFailureAnalyzer.ALLOWED.keySet()).containsExactlyInAnyOrderElementsOf(properties);
    }

    private static JsonNode metadata() throws Exception {
        try (var in = new ClassPathResource("META-INF/spring-configuration-metadata.json").getInputStream()) {
            return JsonMapper.builder().build().readTree(in);
        }
    }
}
