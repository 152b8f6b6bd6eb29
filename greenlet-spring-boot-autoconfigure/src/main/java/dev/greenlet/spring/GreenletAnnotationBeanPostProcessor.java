package dev.greenlet.spring;

import java.lang.reflect.Method;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Proxies beans with {@link Greenlet @Greenlet} (or {@link Spawn @Spawn}) methods or classes so
 * that their calls run as greenlets, as Spring's {@code AsyncAnnotationBeanPostProcessor} does
 * for {@code @Async}. It checks each annotated method's return type when it proxies the bean,
 * so a wrong one fails start-up instead of a call.
 */
public class GreenletAnnotationBeanPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

    private static final Set<Class<?>> RETURN_TYPES = Set.of(void.class, CompletableFuture.class,
            CompletionStage.class, Future.class, dev.greenlet.Greenlet.class);

    private final Set<String> advisedBeanNames = ConcurrentHashMap.newKeySet();

    public GreenletAnnotationBeanPostProcessor() {
        setBeforeExistingAdvisors(true);
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        super.setBeanFactory(beanFactory);
        ComposablePointcut pointcut = new ComposablePointcut(new AnnotationMatchingPointcut(Greenlet.class, true))
                .union(new AnnotationMatchingPointcut(null, Greenlet.class, true));
        this.advisor = new DefaultPointcutAdvisor(pointcut, new GreenletMethodInterceptor(beanFactory));
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (isEligible(bean, beanName)) {
            checkReturnTypes(AopUtils.getTargetClass(bean), beanName);
            advisedBeanNames.add(beanName);
        }
        return super.postProcessAfterInitialization(bean, beanName);
    }

    /**
     * The beans proxied so far, by name: those with {@code @Greenlet} methods. Once the context's
     * singletons exist, every such singleton is here (the start-up advice reads it then).
     */
    public Set<String> advisedBeanNames() {
        return Set.copyOf(advisedBeanNames);
    }

    private static void checkReturnTypes(Class<?> type, String beanName) {
        boolean classAnnotated = AnnotatedElementUtils.hasAnnotation(type, Greenlet.class);
        ReflectionUtils.doWithMethods(type, method -> {
            boolean annotated = AnnotatedElementUtils.hasAnnotation(method, Greenlet.class)
                    || (classAnnotated && java.lang.reflect.Modifier.isPublic(method.getModifiers())
                            && method.getDeclaringClass() != Object.class);
            if (annotated && !RETURN_TYPES.contains(method.getReturnType())) {
                throw new BeanInitializationException("@Greenlet method " + describe(method) + " of bean '" + beanName
                        + "' returns " + method.getReturnType().getName() + ": a greenlet's caller cannot wait for"
                        + " a plain value. Return void, CompletableFuture<T>, CompletionStage<T>, Future<T>"
                        + " or dev.greenlet.Greenlet<T>");
            }
        }, ReflectionUtils.USER_DECLARED_METHODS);
    }

    private static String describe(Method m) {
        return m.getDeclaringClass().getSimpleName() + "." + m.getName() + "()";
    }
}
