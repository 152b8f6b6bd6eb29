package dev.greenlet.spring;

import dev.greenlet.Hub;
import java.lang.reflect.Method;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Runs a {@link Greenlet @Greenlet} method call as a greenlet and adapts the result to the
 * method's return type (see {@link Greenlet} for what each one means).
 *
 * <p>Where the greenlet runs is resolved once per bean class and method: the bean named by the
 * annotation, or the {@code greenletTaskExecutor}. The bean class is part of the key because
 * both the annotation (on the class) and the greenlet's name come from it: one inherited method
 * on two beans may run on two hubs under two names. Spawning goes through a {@link GreenletTaskExecutor},
 * so the application's {@code TaskDecorator} applies.
 */
public class GreenletMethodInterceptor implements MethodInterceptor {

    /** The bean {@code @Greenlet} methods use when they name none. */
    public static final String DEFAULT_EXECUTOR_BEAN_NAME = "greenletTaskExecutor";

    private final BeanFactory beanFactory;
    private final ConcurrentHashMap<Key, Target> targets = new ConcurrentHashMap<>();

    public GreenletMethodInterceptor(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    /**
     * Where a method's greenlets run: an executor (for its decorator) and the hubs to pick from;
     * and the greenlets' name, {@code Class.method}, which failure logs and run-info show.
     */
    private record Target(GreenletTaskExecutor executor, Supplier<Hub> hub, String name) {
    }

    /** What a {@link Target} is resolved from: the bean's class (null without a bean) and the method called. */
    private record Key(Class<?> targetClass, Method method) {
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        Method method = invocation.getMethod();
        Class<?> returnType = method.getReturnType();
        Object bean = invocation.getThis();
        Class<?> targetClass = bean == null ? null : AopUtils.getTargetClass(bean);
        Target target = targets.computeIfAbsent(new Key(targetClass, method), key -> resolve(key.method(), key.targetClass()));
        Hub hub = target.hub().get();
        if (returnType == void.class) {
            target.executor().spawn(hub, target.name(), () -> {
                proceed(invocation);
                return null;
            });
            return null;
        }
        if (returnType == dev.greenlet.Greenlet.class) {
            return target.executor().spawn(hub, target.name(), () -> unwrap(proceed(invocation)));
        }
        // CompletableFuture, CompletionStage, Future: the future carries the outcome, and the
        // greenlet fails with the same exception, so that the failure is counted and reported
        // (logged, with the greenlet named after the method) even if the caller never looks.
        return target.executor().submitCompletable(hub, target.name(), () -> unwrap(proceed(invocation)));
    }

    private static Object proceed(MethodInvocation invocation) throws Exception {
        try {
            return invocation.proceed();
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The value inside what the method body returned: a completed future or greenlet, or null. */
    private static Object unwrap(Object returned) throws Exception {
        if (returned == null) {
            return null;
        }
        if (returned instanceof dev.greenlet.Greenlet<?> g) {
            return g.get();
        }
        if (returned instanceof CompletionStage<?> stage) {
            return dev.greenlet.Gevent.await(stage);
        }
        if (returned instanceof Future<?> f) {
            return dev.greenlet.Gevent.offload(f::get);
        }
        return returned;
    }

    private GreenletTaskExecutor defaultExecutor() {
        return beanFactory.getBean(DEFAULT_EXECUTOR_BEAN_NAME, GreenletTaskExecutor.class);
    }

    private Target resolve(Method method, Class<?> beanClass) {
        Class<?> targetClass = beanClass == null ? method.getDeclaringClass() : beanClass;
        Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
        Greenlet annotation = AnnotatedElementUtils.findMergedAnnotation(specific, Greenlet.class);
        if (annotation == null) {
            annotation = AnnotatedElementUtils.findMergedAnnotation(targetClass, Greenlet.class);
        }
        String name = annotation == null || annotation.value().isEmpty() ? DEFAULT_EXECUTOR_BEAN_NAME : annotation.value();
        String greenletName = targetClass.getSimpleName() + "." + method.getName();
        Object named = beanFactory.getBean(name);
        if (named instanceof GreenletTaskExecutor executor) {
            return new Target(executor, executor.hubs()::next, greenletName);
        }
        // A hub or the hubs: spawn there, through the default executor for its TaskDecorator.
        if (named instanceof GreenletHubs hubs) {
            return new Target(defaultExecutor(), hubs::next, greenletName);
        }
        if (named instanceof Hub hub) {
            return new Target(defaultExecutor(), () -> hub, greenletName);
        }
        throw new IllegalStateException("@Greenlet(\"" + name + "\") on " + method + " names a bean of type "
                + named.getClass().getName() + "; name a Hub, GreenletHubs or GreenletTaskExecutor bean");
    }
}
