package dev.greenlet.test;

import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.support.AnnotationSupport;

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
            if (i > 0) {
                hub = newHub(context, seed);
                context.getStore(NS).put(HUB, hub);
            }
            try {
                runOnce(hub, call, seed);
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

    /** Runs the test method once in {@code hub}, then checks what it left behind. */
    private static void runOnce(TestHub hub, ReflectiveInvocationContext<Method> call, Long seed) throws Throwable {
        Method method = call.getExecutable();
        Object target = call.getTarget().orElse(null);
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
                .or(() -> AnnotationSupport.findAnnotation(context.getRequiredTestClass(), GreenletTest.class))
                .orElseThrow(() -> new IllegalStateException("GreenletTestExtension is registered by @GreenletTest;"
                        + " annotate the test class or method with it"));
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
        throw (E) t;
    }
}
