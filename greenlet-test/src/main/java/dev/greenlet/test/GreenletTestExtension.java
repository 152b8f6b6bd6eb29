package dev.greenlet.test;

import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import java.lang.annotation.Annotation;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;

/**
 * The extension behind {@link GreenletTest}: makes the test's {@link TestHub} before each test,
 * runs the test method in it (once, or once per seed), checks the hub's rules after each run
 * and closes it. Only JUnit's thread for the test touches its state, through the test's store.
 */
public final class GreenletTestExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver,
        InvocationInterceptor {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(GreenletTestExtension.class);
    private static final String HUB = "hub";

    @Override
    public void beforeEach(ExtensionContext context) {
        GreenletTest config = config(context);
        Long first = config.seed() != GreenletTest.NO_SEED ? Long.valueOf(config.seed()) : config.seeds() > 0 ? 0L : null;
        context.getStore(NS).put(HUB, newHub(context, first));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        TestHub hub = context.getStore(NS).remove(HUB, TestHub.class);
        if (hub != null && !hub.isClosed()) {
            hub.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == TestHub.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        TestHub hub = context.getStore(NS).get(HUB, TestHub.class);
        if (hub == null) {
            throw new ParameterResolutionException("no TestHub for " + parameter.getDeclaringExecutable()
                    + ": @GreenletTest makes one for each test method and its @BeforeEach/@AfterEach methods only");
        }
        return hub;
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
            ExtensionContext context) throws Throwable {
        interceptTestMethod(invocation, call, context); // @ParameterizedTest, @RepeatedTest: in the hub too
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
            ExtensionContext context) throws Throwable {
        GreenletTest config = config(context);
        TestHub hub = context.getStore(NS).get(HUB, TestHub.class);
        if (config.seed() != GreenletTest.NO_SEED || config.seeds() <= 0) {
            invocation.skip(); // run it ourselves, in the hub
            runOnce(hub, call, null);
            return;
        }
        invocation.skip();
        for (int i = 0; i < config.seeds(); i++) {
            long seed = i;
            Object fresh = null;
            if (i > 0) {
                hub = newHub(context, seed);
                context.getStore(NS).put(HUB, hub);
                fresh = freshInstance(call, hub); // so that no seed sees what an earlier one left in fields
            }
            try {
                runOnce(hub, call, fresh);
                if (fresh != null) {
                    lifecycle(fresh, AfterEach.class, HierarchyTraversalMode.BOTTOM_UP, hub);
                }
            } catch (Throwable failure) {
                AssertionError named = new AssertionError(context.getDisplayName() + " failed under seed " + seed
                        + " (run " + (i + 1) + " of " + config.seeds() + "; FIFO order is not tried here): replay it with"
                        + " @GreenletTest(seed = " + seed + ") or new TestHub(" + seed + "). " + failure, failure);
                throw named;
            } finally {
                if (i < config.seeds() - 1) {
                    hub.close();
                }
            }
        }
    }

    /**
     * A new instance of the test class for one more seed, its {@code @BeforeEach} methods run, as
     * JUnit would for a new test; null (the first instance is reused) when JUnit alone can make
     * one: an inner ({@code @Nested}) class, no no-argument constructor, or a lifecycle method
     * with a parameter other than {@code TestHub}.
     */
    private static Object freshInstance(ReflectiveInvocationContext<Method> call, TestHub hub) throws Throwable {
        Object target = call.getTarget().orElse(null);
        if (target == null) {
            return null;
        }
        Class<?> c = target.getClass();
        if (c.getEnclosingClass() != null && !Modifier.isStatic(c.getModifiers())) {
            return null;
        }
        for (Class<? extends Annotation> kind : List.of(BeforeEach.class, AfterEach.class)) {
            for (Method m : AnnotationSupport.findAnnotatedMethods(c, kind, HierarchyTraversalMode.TOP_DOWN)) {
                for (Class<?> p : m.getParameterTypes()) {
                    if (p != TestHub.class) {
                        return null;
                    }
                }
            }
        }
        Constructor<?> k;
        try {
            k = c.getDeclaredConstructor();
        } catch (NoSuchMethodException e) {
            return null;
        }
        k.setAccessible(true);
        Object fresh;
        try {
            fresh = k.newInstance();
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        lifecycle(fresh, BeforeEach.class, HierarchyTraversalMode.TOP_DOWN, hub);
        return fresh;
    }

    private static void lifecycle(Object instance, Class<? extends Annotation> kind, HierarchyTraversalMode order,
            TestHub hub) throws Throwable {
        for (Method m : AnnotationSupport.findAnnotatedMethods(instance.getClass(), kind, order)) {
            Object[] args = new Object[m.getParameterCount()];
            java.util.Arrays.fill(args, hub);
            m.setAccessible(true);
            try {
                m.invoke(instance, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    /** Runs the test method once in {@code hub} (on {@code fresh}, if not null), then checks what it left behind. */
    private static void runOnce(TestHub hub, ReflectiveInvocationContext<Method> call, Object fresh) throws Throwable {
        Method method = call.getExecutable();
        Object target = fresh != null ? fresh : call.getTarget().orElse(null);
        Object[] args = call.getArguments().toArray();
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof TestHub) {
                args[i] = hub; // one per seed
            }
        }
        method.setAccessible(true);
        try {
            hub.run(() -> {
                try {
                    return method.invoke(target, args);
                } catch (InvocationTargetException e) {
                    throw sneaky(e.getCause());
                }
            });
        } catch (CompletionException e) {
            throw e.getCause() != null ? e.getCause() : e;
        }
        check(hub);
    }

    /** The hub's rules after a test: no greenlet alive, no failure the test did not expect. */
    static void check(TestHub hub) {
        hub.virtualTime().runCurrent(Duration.ofSeconds(5)); // greenlets killed at the end finish their turns
        List<Greenlet<?>> alive = new ArrayList<>(hub.greenlets());
        if (!alive.isEmpty()) {
            hub.shutdownQuietly(Duration.ZERO, Duration.ofSeconds(1));
            throw new AssertionError(alive.size() + " greenlet(s) of " + hub + " still alive when the test ended"
                    + " (now killed): " + alive + ". Join or kill what the test spawns (Gevent.joinall, Gevent.killall),"
                    + " or wait for it with hub.advanceUntilIdle()");
        }
        if (!hub.failuresExpected() && !hub.failures().isEmpty()) {
            AssertionError e = new AssertionError(hub.failures().size() + " greenlet(s) of " + hub + " failed: "
                    + hub.failedGreenlets() + "; if the test expects it, call hub.expectFailures() (and assert on it)");
            hub.failures().forEach(e::addSuppressed);
            throw e;
        }
    }

    private static TestHub newHub(ExtensionContext context, Long seed) {
        String name = context.getRequiredTestMethod().getName();
        return new TestHub(seed == null ? name : name + "-seed-" + seed, Hub.Engine.forNewHubs(), seed);
    }

    private static GreenletTest config(ExtensionContext context) {
        return AnnotationSupport.findAnnotation(context.getRequiredTestMethod(), GreenletTest.class)
                .or(() -> onClassOrEnclosing(context.getRequiredTestClass()))
                .orElseThrow(() -> new IllegalStateException("GreenletTestExtension is registered by @GreenletTest;"
                        + " annotate the test class or method with it"));
    }

    /** The annotation on the class, a superclass, or a class enclosing it (a {@code @Nested} class's outer class). */
    private static java.util.Optional<GreenletTest> onClassOrEnclosing(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            java.util.Optional<GreenletTest> found = AnnotationSupport.findAnnotation(k, GreenletTest.class);
            if (found.isPresent()) {
                return found;
            }
        }
        return java.util.Optional.empty();
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
        throw (E) t;
    }
}
