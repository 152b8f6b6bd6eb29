package dev.greenlet.spring.actuate;

import dev.greenlet.Hub;
import dev.greenlet.diagnostics.HubMonitor;
import dev.greenlet.diagnostics.HubHolders;
import dev.greenlet.spring.GreenletHubs;
import dev.greenlet.spring.GreenletObservers;
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
 *
 * <p>With {@link GreenletObservers}, who holds the hubs over the last minute, per greenlet name
 * (tag {@code name}: a request's method and path template, a {@code @Greenlet} method, a
 * spawned greenlet's name; at most {@code greenlet.holders.max-names} of them plus
 * {@code (other)} and {@code (unnamed)}, so the tag's cardinality is bounded):
 * {@code greenlet.hold.time} (milliseconds held), {@code greenlet.hold.turns} and
 * {@code greenlet.hold.longest} (the longest turn, milliseconds), all gauges over a sliding
 * minute, summed over the hubs.
 */
public class GreenletMetrics implements MeterBinder {

    private final GreenletHubs hubs;
    private final @org.jspecify.annotations.Nullable GreenletObservers observers;

    public GreenletMetrics(GreenletHubs hubs) {
        this(hubs, null);
    }

    /** @param observers the "who holds the hub" recorder whose names become {@code greenlet.hold.*} meters; or null */
    public GreenletMetrics(GreenletHubs hubs, @org.jspecify.annotations.Nullable GreenletObservers observers) {
        this.hubs = hubs;
        this.observers = observers;
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
        bindHolders(registry);
    }

    private void bindHolders(MeterRegistry registry) {
        GreenletObservers o = observers;
        if (o == null) {
            return;
        }
        // A new name is seen on a hub's turn, which must never wait for the registry's lock (a greenlet
        // of that hub may hold it): register its meters off the hub (docs/ARCHITECTURE.md, "The turn observer").
        o.onNewHolderName(name -> java.util.concurrent.ForkJoinPool.commonPool().execute(() -> registerHolder(registry, o, name)));
    }

    private static void registerHolder(MeterRegistry registry, GreenletObservers o, String name) {
        {
            Tags tags = Tags.of("name", name);
            Gauge.builder("greenlet.hold.time", o, x -> holder(x, name).held().toNanos() / 1e6).tags(tags)
                    .baseUnit("milliseconds").description("Time greenlets of this name held their hub over the last minute")
                    .register(registry);
            Gauge.builder("greenlet.hold.turns", o, x -> holder(x, name).turns()).tags(tags)
                    .description("Turns of greenlets of this name over the last minute").register(registry);
            Gauge.builder("greenlet.hold.longest", o, x -> holder(x, name).longestTurn().toNanos() / 1e6).tags(tags)
                    .baseUnit("milliseconds").description("The longest turn of a greenlet of this name over the last minute")
                    .register(registry);
        }
    }

    private static HubHolders.Holder holder(GreenletObservers o, String name) {
        HubHolders h = o.holders();
        return h == null ? new HubHolders.Holder(name, java.time.Duration.ZERO, 0, java.time.Duration.ZERO) : h.of(name);
    }

    private static void counter(MeterRegistry registry, String name, Hub hub, java.util.function.ToDoubleFunction<Hub> f,
            Tags tags, String description) {
        FunctionCounter.builder(name, hub, f).tags(tags).description(description).register(registry);
    }
}
