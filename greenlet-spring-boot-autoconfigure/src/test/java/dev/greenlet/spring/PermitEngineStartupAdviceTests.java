package dev.greenlet.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.greenlet.Hub;
import dev.greenlet.spring.autoconfigure.GreenletAutoConfiguration;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/**
 * The permit engine's start-up warnings: blocking clients beside greenlets that may call them,
 * and the socket patch beside a connection pool. This JVM runs the permit engine (no patch-all).
 */
@ExtendWith(OutputCaptureExtension.class)
class PermitEngineStartupAdviceTests {

    private static final String HOLD_THE_HUB = "Greenlets run on the permit engine (greenlet.monkey.patch-all is off)";
    private static final String DEADLOCK = "greenlet.monkey.patch-socket=true beside the connection pool(s)";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GreenletAutoConfiguration.class, TaskExecutionAutoConfiguration.class));

    @Test
    void aDataSourceBesideGreenletMethodsWarnsOnceNamingPatchAll(CapturedOutput output) {
        runner.withUserConfiguration(DataSourceConfiguration.class, ServiceConfiguration.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(Hub.class).engine()).isEqualTo(Hub.Engine.PERMIT);
        });
        String all = output.getAll();
        assertThat(all.split(java.util.regex.Pattern.quote(HOLD_THE_HUB), -1)).as("warnings").hasSize(2);
        assertThat(all).contains("@Greenlet methods of 'service' may call 'dataSource' (SimpleDriverDataSource)")
                .contains("so these greenlets run those calls one after another")
                .contains("set greenlet.monkey.patch-all=true (JDK 24+, JVM flag --add-opens java.base/java.lang=ALL-UNNAMED");
    }

    @Test
    void anHttpClientBuilderBesideTheApplicationTaskExecutorWarns(CapturedOutput output) {
        runner.withConfiguration(AutoConfigurations.of(RestClientAutoConfiguration.class))
                .withPropertyValues("greenlet.executor.application-task-executor=true")
                .run(context -> assertThat(context).hasNotFailed());
        assertThat(output.getAll()).contains(HOLD_THE_HUB)
                .contains("@Async methods (greenlet.executor.application-task-executor=true) may call 'restClientBuilder'");
    }

    @Test
    void aDataSourceWithoutGreenletsThatCallItDoesNotWarn(CapturedOutput output) {
        runner.withUserConfiguration(DataSourceConfiguration.class)
                .run(context -> assertThat(context).hasNotFailed());
        assertThat(output.getAll()).doesNotContain(HOLD_THE_HUB);
    }

    @Test
    void patchSocketBesideAPoolWarnsOfTheDeadlockAndNamesPatchAll(CapturedOutput output) {
        runner.withUserConfiguration(PoolConfiguration.class).withPropertyValues("greenlet.monkey.patch-socket=true")
                .run(context -> assertThat(context).hasNotFailed());
        assertThat(output.getAll()).contains(DEADLOCK + " 'pool' (HikariDataSource) can deadlock the application for good")
                .contains("Set greenlet.monkey.patch-all=true instead")
                .contains("and remove greenlet.monkey.patch-socket.");
    }

    @Test
    void patchSocketBesideADataSourceThatIsNotAPoolDoesNotWarnOfADeadlock(CapturedOutput output) {
        runner.withUserConfiguration(DataSourceConfiguration.class).withPropertyValues("greenlet.monkey.patch-socket=true")
                .run(context -> assertThat(context).hasNotFailed());
        assertThat(output.getAll()).doesNotContain(DEADLOCK);
    }

    @Configuration(proxyBeanMethods = false)
    static class DataSourceConfiguration {
        @Bean
        DataSource dataSource() {
            return new SimpleDriverDataSource();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class PoolConfiguration {
        /** Not started: HikariCP connects at the first getConnection(). */
        @Bean(destroyMethod = "")
        HikariDataSource pool() {
            HikariDataSource pool = new HikariDataSource();
            pool.setJdbcUrl("jdbc:postgresql://127.0.0.1:5432/test");
            return pool;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ServiceConfiguration {
        @Bean
        Service service() {
            return new Service();
        }
    }

    static class Service {
        @Greenlet
        public CompletableFuture<String> query() {
            return CompletableFuture.completedFuture("row");
        }
    }
}
