package dev.greenlet.spring.autoconfigure;

import dev.greenlet.Hub;
import dev.greenlet.spring.GreenletAnnotationBeanPostProcessor;
import dev.greenlet.spring.GreenletHubs;
import dev.greenlet.spring.GreenletTaskExecutor;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.CompositeTaskDecorator;
import org.springframework.scheduling.annotation.AsyncAnnotationBeanPostProcessor;

/** The configurations {@link GreenletAutoConfiguration} imports, one concern each. */
final class GreenletConfigurations {

    private GreenletConfigurations() {
    }

    /** The hubs: a {@code Hub} bean (the user's wins) and the {@code GreenletHubs} around it. */
    @Configuration(proxyBeanMethods = false)
    static class HubConfiguration {

        /** The first hub. Its lifecycle belongs to {@link GreenletHubs}, hence no destroy method. */
        @Bean(destroyMethod = "")
        @ConditionalOnMissingBean
        Hub greenletHub(GreenletProperties properties) {
            return new Hub(hubName(properties, 0));
        }

        /**
         * The hubs: the {@code Hub} bean first (with several, the one named
         * {@code greenletHub}), then {@code greenlet.hub.count - 1} more.
         */
        @Bean
        @ConditionalOnMissingBean
        GreenletHubs greenletHubs(Hub greenletHub, GreenletProperties properties) {
            List<Hub> hubs = new ArrayList<>();
            hubs.add(greenletHub);
            for (int i = 1; i < hubCount(properties); i++) {
                hubs.add(new Hub(hubName(properties, i)));
            }
            GreenletProperties.Monitor monitor = properties.getMonitor();
            return new GreenletHubs(hubs, properties.getShutdown().getTimeout(),
                    monitor.isEnabled() ? monitor.getMaxBlockingTime() : null);
        }

        /** The timeline and "who holds the hub" recorders ({@code greenlet.timeline.*}, {@code greenlet.holders.*}). */
        @Bean
        @ConditionalOnMissingBean
        dev.greenlet.spring.GreenletObservers greenletObservers(GreenletHubs greenletHubs, GreenletProperties properties) {
            GreenletProperties.Timeline timeline = properties.getTimeline();
            GreenletProperties.Holders holders = properties.getHolders();
            return new dev.greenlet.spring.GreenletObservers(greenletHubs, timeline.isEnabled() ? timeline.getKeep() : null,
                    timeline.getCapacityPerHub(), properties.getMonitor().getMaxBlockingTime(),
                    holders.isEnabled() ? holders.getMaxNames() : 0);
        }

        /** The permit engine's start-up warnings (see the class). */
        @Bean
        @ConditionalOnMissingBean
        PermitEngineStartupAdvice greenletPermitEngineStartupAdvice(GreenletHubs greenletHubs,
                GreenletProperties properties) {
            return new PermitEngineStartupAdvice(greenletHubs, properties);
        }

        private static String hubName(GreenletProperties properties, int index) {
            String name = properties.getHub().getName();
            return hubCount(properties) == 1 ? name : name + "-" + index;
        }

        /** {@code greenlet.hub.count}, defaulting to the processors when requests run as greenlets. */
        private static int hubCount(GreenletProperties properties) {
            return properties.getHub().resolveCount(properties.getWeb().isEnabled());
        }
    }

    /**
     * The {@code greenletTaskExecutor}. Not a default candidate: Boot backs its own
     * {@code applicationTaskExecutor} off when any other executor could be injected by type, and
     * this one must not displace it unless asked.
     */
    @Configuration(proxyBeanMethods = false)
    static class ExecutorConfiguration {

        @Bean(defaultCandidate = false)
        @ConditionalOnMissingBean(name = "greenletTaskExecutor")
        GreenletTaskExecutor greenletTaskExecutor(GreenletHubs hubs, ObjectProvider<TaskDecorator> taskDecorators,
                GreenletProperties properties) {
            return new GreenletTaskExecutor(hubs, taskDecorator(taskDecorators),
                    properties.getExecutor().isLogFutureFailures());
        }
    }

    /**
     * With {@code greenlet.executor.application-task-executor=true}, the hubs also become Boot's
     * {@code applicationTaskExecutor} (and {@code taskExecutor}, the name {@code @Async} looks
     * for), so {@code @Async} methods and MVC async requests run as greenlets.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(GreenletProperties.EXECUTOR_APPLICATION_TASK_EXECUTOR)
    static class ApplicationTaskExecutorConfiguration {

        @Bean(name = { TaskExecutionAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME,
                AsyncAnnotationBeanPostProcessor.DEFAULT_TASK_EXECUTOR_BEAN_NAME })
        @ConditionalOnMissingBean(name = TaskExecutionAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME)
        GreenletTaskExecutor applicationTaskExecutor(GreenletHubs hubs, ObjectProvider<TaskDecorator> taskDecorators,
                GreenletProperties properties) {
            return new GreenletTaskExecutor(hubs, taskDecorator(taskDecorators),
                    properties.getExecutor().isLogFutureFailures());
        }
    }

    /**
     * The application's {@code TaskDecorator} beans as one, as Boot's task execution composes
     * them: none, the single one, or all of them in order ({@code CompositeTaskDecorator}: each
     * wraps what the ones before it made).
     */
    static TaskDecorator taskDecorator(ObjectProvider<TaskDecorator> taskDecorators) {
        List<TaskDecorator> decorators = taskDecorators.orderedStream().toList();
        if (decorators.size() == 1) {
            return decorators.get(0);
        }
        return decorators.isEmpty() ? null : new CompositeTaskDecorator(decorators);
    }

    /** {@code @Greenlet} methods, with no {@code @EnableAsync}. */
    @Configuration(proxyBeanMethods = false)
    static class AnnotationConfiguration {

        @Bean
        @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
        @ConditionalOnMissingBean
        static GreenletAnnotationBeanPostProcessor greenletAnnotationBeanPostProcessor() {
            return new GreenletAnnotationBeanPostProcessor();
        }
    }
}
