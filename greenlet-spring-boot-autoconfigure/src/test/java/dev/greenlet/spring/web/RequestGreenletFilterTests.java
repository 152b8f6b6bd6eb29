package dev.greenlet.spring.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.Hub;
import dev.greenlet.spring.GreenletHubs;
import dev.greenlet.spring.autoconfigure.GreenletProperties;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/** Which requests stay off the hubs: the default patterns, a context path, custom patterns, bad ones. */
class RequestGreenletFilterTests {

    private final Hub hub = new Hub("filter-test", Hub.Engine.CARRIER);
    private final GreenletRequestExecutor executor = new GreenletRequestExecutor(
            new GreenletHubs(List.of(hub), Duration.ofSeconds(1), null), true);

    @AfterEach
    void closeHub() {
        hub.close();
    }

    private static MockHttpServletRequest get(String contextPath, String uri) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", uri);
        request.setContextPath(contextPath);
        return request;
    }

    @Test
    void theDefaultKeepsActuatorAndProbesOffTheHubs() {
        RequestGreenletFilter filter = new RequestGreenletFilter(executor, RequestGreenletFilter.defaultExcludedPaths("/actuator"));
        for (String path : List.of("/actuator", "/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness",
                "/livez", "/readyz")) {
            assertThat(filter.isExcluded(get("", path))).as(path).isTrue();
            assertThat(filter.isExcluded(get("/app", "/app" + path))).as("under a context path: %s", path).isTrue();
        }
        for (String path : List.of("/", "/orders", "/actuatorx", "/health")) {
            assertThat(filter.isExcluded(get("", path))).as(path).isFalse();
        }
    }

    @Test
    void theDefaultFollowsTheActuatorBasePath() {
        assertThat(RequestGreenletFilter.defaultExcludedPaths("/manage/")).containsExactly("/manage/**", "/livez", "/readyz");
        assertThat(RequestGreenletFilter.defaultExcludedPaths("/"))
                .as("endpoints at the root: their paths, not the whole application")
                .containsExactly("/health/**", "/info", "/livez", "/readyz");
    }

    @Test
    void customPatternsReplaceTheDefaultAndBadOnesNameTheProperty() {
        RequestGreenletFilter filter = new RequestGreenletFilter(executor, List.of("/status/*"));
        assertThat(filter.isExcluded(get("", "/status/db"))).isTrue();
        assertThat(filter.isExcluded(get("", "/actuator/health"))).isFalse();
        assertThatThrownBy(() -> new RequestGreenletFilter(executor, List.of("/a/**/b/**")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(GreenletProperties.WEB_EXCLUDED_PATHS)
                .hasMessageContaining("/a/**/b/**");
        assertThatThrownBy(() -> new GreenletProperties().getWeb().setExcludedPaths(List.of("actuator/**")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(GreenletProperties.WEB_EXCLUDED_PATHS)
                .hasMessageContaining("start with '/'");
    }
}
