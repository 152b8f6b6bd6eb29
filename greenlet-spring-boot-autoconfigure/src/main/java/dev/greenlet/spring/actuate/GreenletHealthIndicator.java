package dev.greenlet.spring.actuate;

import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import dev.greenlet.diagnostics.HubMonitor;
import dev.greenlet.spring.GreenletHubs;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of the hubs: down while a greenlet has held a hub without a cooperative point for
 * longer than {@code greenlet.monitor.unhealthy-after} (every other greenlet of that hub is
 * stuck behind it), up otherwise. Details per hub: live greenlets, switches, stalls seen, and
 * the blocking greenlet if any. Without the monitor it cannot see stalls, and says so.
 */
public class GreenletHealthIndicator extends AbstractHealthIndicator {

    private final GreenletHubs hubs;
    private final Duration unhealthyAfter;

    public GreenletHealthIndicator(GreenletHubs hubs, Duration unhealthyAfter) {
        super("Greenlet health check failed");
        this.hubs = hubs;
        this.unhealthyAfter = unhealthyAfter;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        boolean up = true;
        for (Hub hub : hubs.hubs()) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("engine", hub.engine().name().toLowerCase(java.util.Locale.ROOT));
            details.put("live", hub.liveCount());
            details.put("switches", hub.switchCount());
            HubMonitor monitor = HubMonitor.of(hub);
            if (monitor == null) {
                details.put("monitor", "off: stalls are not watched (greenlet.monitor.enabled=false)");
            } else {
                details.put("stalls", monitor.stallCount());
                Duration blocking = monitor.currentBlocking();
                Greenlet<?> holder = monitor.currentHolder();
                if (holder != null && blocking.compareTo(unhealthyAfter) >= 0) {
                    up = false;
                    details.put("blockedBy", holder.name());
                    details.put("blockedForMs", blocking.toMillis());
                }
            }
            builder.withDetail(hub.name(), details);
        }
        if (up) {
            builder.up();
        } else {
            builder.down();
        }
    }
}
