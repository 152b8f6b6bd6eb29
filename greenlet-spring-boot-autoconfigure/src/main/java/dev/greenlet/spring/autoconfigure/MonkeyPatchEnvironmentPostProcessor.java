package dev.greenlet.spring.autoconfigure;

import dev.greenlet.monkey.Monkey;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Applies the monkey patch that {@code greenlet.monkey.patch-all}, {@code patch-socket} and
 * {@code patch-dns} ask for as soon as the configuration is read, before the application context
 * and any bean exist, so that a bean opening a socket in its constructor (a connection pool, say)
 * already gets a patched one, and the hub beans are created on the carrier engine that
 * {@link Monkey#patchAll()} selects. The patch is JVM-wide and irreversible, as {@link Monkey}
 * explains.
 *
 * <p>A patch that cannot be applied fails start-up with its own message: {@code patchAll()}
 * names what is missing (JDK 24+, {@code --add-opens java.base/java.lang=ALL-UNNAMED}) and where
 * to put it. Nothing falls back silently to a weaker patch.
 */
public class MonkeyPatchEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    /** Right after the application's configuration files are read. */
    public static final int ORDER = ConfigDataEnvironmentPostProcessor.ORDER + 1;

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Binder binder = Binder.get(environment);
        if (!binder.bind("greenlet.enabled", Boolean.class).orElse(true)) {
            return;
        }
        if (binder.bind("greenlet.monkey.patch-all", Boolean.class).orElse(false)) {
            Monkey.patchAll();
        }
        if (binder.bind("greenlet.monkey.patch-socket", Boolean.class).orElse(false)) {
            Monkey.patchSocket();
        }
        if (binder.bind("greenlet.monkey.patch-dns", Boolean.class).orElse(false)) {
            Monkey.patchDns();
        }
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
