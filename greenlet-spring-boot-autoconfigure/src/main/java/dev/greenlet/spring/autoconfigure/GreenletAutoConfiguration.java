package dev.greenlet.spring.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for
 * greenlets: the hubs, the {@code greenletTaskExecutor}, {@code @Greenlet} methods and, when
 * asked, Boot's {@code applicationTaskExecutor}. It runs before Boot's task execution
 * auto-configuration so that, when the hubs are asked to be the application task executor,
 * Boot's backs off.
 */
@AutoConfiguration(before = TaskExecutionAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = GreenletProperties.ENABLED, matchIfMissing = true)
@EnableConfigurationProperties(GreenletProperties.class)
@Import({ GreenletConfigurations.HubConfiguration.class, GreenletConfigurations.ExecutorConfiguration.class,
        GreenletConfigurations.ApplicationTaskExecutorConfiguration.class,
        GreenletConfigurations.AnnotationConfiguration.class })
public final class GreenletAutoConfiguration {

}
