package dev.greenlet.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.spring.autoconfigure.GreenletAutoConfiguration;
import dev.greenlet.spring.autoconfigure.GreenletWebServerAutoConfiguration;
import dev.greenlet.spring.web.GreenletRequestExecutor;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;

/**
 * The conditions of requests as greenlets. This JVM runs the permit engine (no patch-all), so
 * {@code greenlet.web.enabled} must fail start-up here, saying what to do; the feature itself is
 * tested on real servers in {@code dev.greenlet.spring.web}, in a JVM with patch-all.
 */
class GreenletWebServerAutoConfigurationTests {

    private final WebApplicationContextRunner webRunner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GreenletAutoConfiguration.class,
                    GreenletWebServerAutoConfiguration.class, TaskExecutionAutoConfiguration.class));

    @Test
    void offByDefault() {
        webRunner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(GreenletRequestExecutor.class);
            assertThat(context).doesNotHaveBean(FilterRegistrationBean.class);
        });
    }

    @Test
    void withoutTheCarrierEngineStartUpFailsNamingPatchAll() {
        webRunner.withPropertyValues("greenlet.web.enabled=true").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("greenlet.web.enabled=true needs the carrier engine")
                    .hasMessageContaining("greenlet.monkey.patch-all=true")
                    .hasMessageContaining("--add-opens java.base/java.lang=ALL-UNNAMED");
        });
    }

    @Test
    void notForAnApplicationWithoutAServletServer() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(GreenletAutoConfiguration.class,
                        GreenletWebServerAutoConfiguration.class))
                .withPropertyValues("greenlet.web.enabled=true")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(GreenletRequestExecutor.class);
                });
    }
}
