package dev.greenlet.spring;

import dev.greenlet.Hub;
import dev.greenlet.diagnostics.HubHolders;
import dev.greenlet.diagnostics.Timeline;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;

/**
 * The hubs' turn recorders: the {@link Timeline} of the last seconds and the {@link HubHolders}
 * of the last minute, attached to every hub of {@link GreenletHubs} while the context runs
 * (each optional: {@code greenlet.timeline.enabled}, {@code greenlet.holders.enabled}). It
 * starts right after the hubs and their monitors (so the timeline also marks the monitors'
 * stall reports) and stops right before them. The Actuator's {@code greenlets} endpoint and
 * the {@code greenlet.hold.*} meters read it.
 *
 * <p>Its fields are written by {@link #start()} and {@link #stop()} (the context's lifecycle,
 * one thread) and read by any thread: they are volatile.
 */
public class GreenletObservers implements SmartLifecycle {

    /** Just after {@link GreenletHubs#PHASE}: started after the hubs, stopped before them. */
    public static final int PHASE = GreenletHubs.PHASE + 1;

    private final GreenletHubs hubs;
    private final @Nullable Duration timelineKeep;  // null: no timeline
    private final int timelineCapacity;
    private final Duration stallThreshold;
    private final int holdersMaxNames;               // 0: no holders
    private volatile @Nullable Timeline timeline;
    private volatile @Nullable HubHolders holders;
    private final java.util.List<java.util.function.Consumer<String>> nameCallbacks = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param timelineKeep     how long the timeline keeps turns; null for no timeline
     * @param timelineCapacity the most turns it keeps per hub
     * @param stallThreshold   a turn at least this long is drawn as a stall (the monitor's threshold)
     * @param holdersMaxNames  the most names "who holds the hub" counts; 0 for none
     */
    public GreenletObservers(GreenletHubs hubs, @Nullable Duration timelineKeep, int timelineCapacity,
            Duration stallThreshold, int holdersMaxNames) {
        this.hubs = hubs;
        this.timelineKeep = timelineKeep;
        this.timelineCapacity = timelineCapacity;
        this.stallThreshold = stallThreshold;
        this.holdersMaxNames = holdersMaxNames;
    }

    /** The timeline of the hubs' last turns, or null when it is off or the context is not running. */
    public @Nullable Timeline timeline() {
        return timeline;
    }

    /** Who held the hubs over the last minute, or null when it is off or the context is not running. */
    public @Nullable HubHolders holders() {
        return holders;
    }

    /**
     * Calls {@code callback} with each holder name when it is first counted (see
     * {@link HubHolders#onNewName}), across restarts of the context; for the meters.
     */
    public void onNewHolderName(java.util.function.Consumer<String> callback) {
        nameCallbacks.add(callback);
        HubHolders h = holders;
        if (h != null) {
            h.names().forEach(callback);
        }
    }

    /** How long the timeline keeps turns; null when there is no timeline. */
    public @Nullable Duration timelineKeep() {
        return timelineKeep;
    }

    @Override
    public void start() {
        if (timelineKeep != null && timeline == null) {
            Timeline t = new Timeline(timelineKeep, timelineCapacity, stallThreshold);
            for (Hub hub : hubs.hubs()) {
                t.attach(hub);
            }
            timeline = t;
        }
        if (holdersMaxNames > 0 && holders == null) {
            HubHolders h = new HubHolders(holdersMaxNames);
            h.onNewName(name -> nameCallbacks.forEach(c -> c.accept(name)));
            for (Hub hub : hubs.hubs()) {
                h.attach(hub);
            }
            holders = h;
        }
    }

    @Override
    public void stop() {
        Timeline t = timeline;
        if (t != null) {
            t.close();
            timeline = null;
        }
        HubHolders h = holders;
        if (h != null) {
            h.close();
            holders = null;
        }
    }

    @Override
    public boolean isRunning() {
        return timeline != null || holders != null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
