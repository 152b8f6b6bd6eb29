package dev.greenlet.spring.autoconfigure;

import java.util.Map;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Reports an invalid {@code greenlet.*} value: the property, the value and where it was set, why
 * it is refused, and as the Action the values the property takes. Boot's own
 * {@code BindFailureAnalyzer} would report it too, with "Update your application's
 * configuration" as the Action; this one runs first, and only for {@code greenlet.*}.
 *
 * <p>The values are bound first by {@link MonkeyPatchEnvironmentPostProcessor}, before any bean
 * exists, so a bad value fails there, and every such failure arrives here.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class GreenletPropertiesFailureAnalyzer extends AbstractFailureAnalyzer<BindException> {

    private static final String BOOLEAN = "true or false";
    private static final String DURATION_ZERO_OR_MORE = "a duration of zero or more, such as 30s, 500ms or PT1M"
            + " (a bare number is milliseconds)";

    /** What each property takes, by name. */
    static final Map<String, String> ALLOWED = Map.ofEntries(
            Map.entry(GreenletProperties.ENABLED, BOOLEAN),
            Map.entry(GreenletProperties.HUB_NAME, "a name that is not blank"),
            Map.entry(GreenletProperties.HUB_COUNT, "a whole number, 1 or more"),
            Map.entry(GreenletProperties.SHUTDOWN_TIMEOUT, DURATION_ZERO_OR_MORE),
            Map.entry(GreenletProperties.MONITOR_ENABLED, BOOLEAN),
            Map.entry(GreenletProperties.MONITOR_MAX_BLOCKING_TIME, "a positive duration, such as 100ms or 1s"
                    + " (a bare number is milliseconds); to turn the monitor off, set "
                    + GreenletProperties.MONITOR_ENABLED + "=false"),
            Map.entry(GreenletProperties.MONITOR_UNHEALTHY_AFTER, DURATION_ZERO_OR_MORE),
            Map.entry(GreenletProperties.EXECUTOR_APPLICATION_TASK_EXECUTOR, BOOLEAN),
            Map.entry(GreenletProperties.EXECUTOR_LOG_FUTURE_FAILURES, BOOLEAN),
            Map.entry(GreenletProperties.MONKEY_PATCH_ALL, BOOLEAN),
            Map.entry(GreenletProperties.MONKEY_PATCH_SOCKET, BOOLEAN),
            Map.entry(GreenletProperties.MONKEY_PATCH_DNS, BOOLEAN),
            Map.entry(GreenletProperties.MONKEY_PATCH_HTTP_CLIENTS, BOOLEAN),
            Map.entry(GreenletProperties.WEB_ENABLED, BOOLEAN),
            Map.entry(GreenletProperties.WEB_EXCLUDED_PATHS, "a comma-separated list of Spring path patterns, such as"
                    + " /actuator/**,/livez,/readyz"),
            Map.entry(GreenletProperties.TIMELINE_ENABLED, BOOLEAN),
            Map.entry(GreenletProperties.TIMELINE_KEEP, "a positive duration of at most 10m, such as 60s"),
            Map.entry(GreenletProperties.TIMELINE_CAPACITY_PER_HUB, "a whole number, 16 or more (turns kept per hub)"),
            Map.entry(GreenletProperties.HOLDERS_ENABLED, BOOLEAN),
            Map.entry(GreenletProperties.HOLDERS_MAX_NAMES, "a whole number from 1 to 10000"));

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, BindException cause) {
        ConfigurationProperty property = cause.getProperty();
        String name = property != null ? property.getName().toString() : cause.getName().toString();
        if (!name.startsWith(GreenletProperties.PREFIX + ".")) {
            return null;
        }
        StringBuilder description = new StringBuilder("Invalid value for ").append(name);
        if (property != null) {
            description.append(": '").append(property.getValue()).append("'");
            if (property.getOrigin() != null) {
                description.append(" (from ").append(property.getOrigin()).append(")");
            }
        }
        description.append(".\n\nReason: ").append(reason(cause));
        String allowed = ALLOWED.get(name);
        String action = "Set " + name + " to " + (allowed != null ? allowed : "a value its description allows"
                + " (your IDE shows it from the starter's configuration metadata)") + ", or remove it to use the default.";
        return new FailureAnalysis(description.toString(), action, cause);
    }

    /** The innermost message: the setter's own check or the converter's complaint. */
    private static String reason(BindException cause) {
        Throwable t = cause;
        String message = cause.getMessage();
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return message;
    }
}
