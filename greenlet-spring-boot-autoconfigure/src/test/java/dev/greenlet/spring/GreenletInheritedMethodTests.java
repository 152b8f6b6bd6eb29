package dev.greenlet.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Hub;
import dev.greenlet.spring.autoconfigure.GreenletAutoConfiguration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * One inherited method on two beans whose classes name different hubs: each call runs on its own
 * bean's hub, under its own bean's name. (Resolved once per method, the second bean used to get
 * the first one's hub and name.)
 */
class GreenletInheritedMethodTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GreenletAutoConfiguration.class, TaskExecutionAutoConfiguration.class))
            .withUserConfiguration(TwoHubsConfiguration.class);

    @Test
    void anInheritedMethodRunsOnEachBeansOwnHubUnderItsOwnName() {
        contextRunner.run(context -> {
            String first = context.getBean(OnFirstHub.class).whereAmI().get(10, TimeUnit.SECONDS);
            String second = context.getBean(OnSecondHub.class).whereAmI().get(10, TimeUnit.SECONDS);
            assertThat(first).isEqualTo("first: OnFirstHub.whereAmI");
            assertThat(second).isEqualTo("second: OnSecondHub.whereAmI");
        });
    }

    /** The method both beans inherit, with no annotation of its own: each class's annotation applies. */
    abstract static class Base {
        public CompletableFuture<String> whereAmI() {
            return CompletableFuture.completedFuture(Hub.current().name() + ": " + dev.greenlet.Greenlet.current().name());
        }
    }

    @Greenlet("greenletHub")
    static class OnFirstHub extends Base {
    }

    @Greenlet("secondHub")
    static class OnSecondHub extends Base {
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoHubsConfiguration {
        /** Named as the auto-configured one, so that it is the first of the GreenletHubs (which close it). */
        @Bean(destroyMethod = "")
        Hub greenletHub() {
            return new Hub("first");
        }

        @Bean(destroyMethod = "close")
        Hub secondHub() {
            return new Hub("second");
        }

        @Bean
        OnFirstHub onFirstHub() {
            return new OnFirstHub();
        }

        @Bean
        OnSecondHub onSecondHub() {
            return new OnSecondHub();
        }
    }
}
