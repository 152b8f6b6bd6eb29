package dev.greenlet.spring.actuate;

import dev.greenlet.Hub;
import dev.greenlet.diagnostics.HubMonitor;
import dev.greenlet.spring.GreenletHubs;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.TimeUnit;

/**
 * Micrometer meters for each hub, tagged {@code hub}: {@code greenlet.live} (gauge),
 * {@code greenlet.spawned}, {@code greenlet.finished}, {@code greenlet.failed},
 * {@code greenlet.killed}, {@code greenlet.switches}, {@code greenlet.stalls} (counters) and
 * {@code greenlet.turn.wait} (a timer of how long ready greenlets waited for their turn on the
 * hub, which this binder turns on). The words fit both engines: a greenlet's <em>turn</em> is a
 * run permit on the permit engine and the hub's carrier thread on the carrier engine.
 */
public class GreenletMetrics implements MeterBinder {

    private final GreenletHubs hubs;

    public GreenletMetrics(GreenletHubs hubs) {
        this.hubs = hubs;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (Hub hub : hubs.hubs()) {
            Tags tags = Tags.of("hub", hub.name());
            hub.setTurnWaitTiming(true);
            Gauge.builder("greenlet.live", hub, Hub::liveCount).tags(tags)
                    .description("Greenlets started and not finished").register(registry);
            counter(registry, "greenlet.spawned", hub, Hub::spawnedCount, tags, "Greenlets started");
            counter(registry, "greenlet.finished", hub, Hub::finishedCount, tags, "Greenlets that ended, however");
            counter(registry, "greenlet.failed", hub, Hub::failedCount, tags, "Greenlets that ended with an exception");
            counter(registry, "greenlet.killed", hub, Hub::killedCount, tags, "Greenlets killed");
            counter(registry, "greenlet.switches", hub, Hub::switchCount, tags, "Turns passed from one greenlet to another on the hub");
            counter(registry, "greenlet.stalls", hub, h -> {
                HubMonitor m = HubMonitor.of(h);
                return m == null ? 0 : m.stallCount();
            }, tags, "Stalls the hub monitor reported");
            FunctionTimer.builder("greenlet.turn.wait", hub, Hub::timedTurns, Hub::turnWaitNanos, TimeUnit.NANOSECONDS)
                    .tags(tags).description("Time ready greenlets waited for their turn on the hub").register(registry);
        }
    }

    private static void counter(MeterRegistry registry, String name, Hub hub, java.util.function.ToDoubleFunction<Hub> f,
            Tags tags, String description) {
        FunctionCounter.builder(name, hub, f).tags(tags).description(description).register(registry);
    }
}
