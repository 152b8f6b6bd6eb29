package dev.greenlet.spring.autoconfigure;

import dev.greenlet.Hub;
import dev.greenlet.monkey.Monkey;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Applies the monkey patch that {@code greenlet.monkey.patch-all}, {@code patch-socket} and
 * {@code patch-dns} ask for (bound into {@link GreenletProperties}, as the beans see them) as
 * soon as the configuration is read, before the application context
 * and any bean exist, so that a bean opening a socket in its constructor (a connection pool, say)
 * already gets a patched one, and the hub beans are created on the carrier engine that
 * {@link Monkey#patchAll()} selects. The patch is JVM-wide and irreversible, as {@link Monkey}
 * explains.
 *
 * <p>What cannot work fails start-up here, before any bean exists, with an exception that a
 * failure analyzer turns into Boot's "APPLICATION FAILED TO START" report: an invalid
 * {@code greenlet.*} value ({@link GreenletPropertiesFailureAnalyzer}); {@code patch-all} on a
 * JVM that cannot run the carrier engine ({@link CarrierEngineUnavailableException}, whose
 * report shows where the flag goes); {@code greenlet.web.enabled} without the carrier engine
 * ({@link RequestGreenletsNeedCarrierEngineException}). Nothing falls back silently to a weaker
 * patch.
 */
public class MonkeyPatchEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    /** Right after the application's configuration files are read. */
    public static final int ORDER = ConfigDataEnvironmentPostProcessor.ORDER + 1;

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        GreenletProperties properties = Binder.get(environment)
                .bind(GreenletProperties.PREFIX, GreenletProperties.class).orElseGet(GreenletProperties::new);
        if (!properties.isEnabled()) {
            return;
        }
        GreenletProperties.Monkey monkey = properties.getMonkey();
        if (monkey.isPatchAll()) {
            String why = Hub.Engine.CARRIER.unavailableReason();
            if (why != null) {
                throw new CarrierEngineUnavailableException(why, Runtime.version().feature());
            }
            Monkey.patchAll();
        }
        if (monkey.isPatchSocket()) {
            Monkey.patchSocket();
        }
        if (monkey.isPatchDns()) {
            Monkey.patchDns();
        }
        // Only a servlet application serves requests as greenlets; one may have called
        // Monkey.patchAll() in main, without the property.
        if (properties.getWeb().isEnabled() && application.getWebApplicationType() == WebApplicationType.SERVLET
                && !Monkey.isPatched(Monkey.THREAD)) {
            throw new RequestGreenletsNeedCarrierEngineException();
        }
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
