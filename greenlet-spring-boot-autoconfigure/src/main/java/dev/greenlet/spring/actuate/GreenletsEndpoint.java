package dev.greenlet.spring.actuate;

import dev.greenlet.GreenletInfo;
import dev.greenlet.Hub;
import dev.greenlet.spring.GreenletHubs;
import java.util.List;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code greenlets} Actuator endpoint: every live greenlet of every hub, with its state,
 * what it waits on, who spawned it and its stack (gevent's {@code print_run_info}). Like every
 * endpoint but health, it is not exposed over HTTP unless the application says so
 * ({@code management.endpoints.web.exposure.include=greenlets}).
 */
@Endpoint(id = "greenlets")
public class GreenletsEndpoint {

    private final GreenletHubs hubs;

    public GreenletsEndpoint(GreenletHubs hubs) {
        this.hubs = hubs;
    }

    /** The hubs and their live greenlets. */
    @ReadOperation
    public HubsDescriptor greenlets() {
        return new HubsDescriptor(hubs.hubs().stream().map(GreenletsEndpoint::describe).toList());
    }

    private static HubDescriptor describe(Hub hub) {
        List<GreenletDescriptor> greenlets = hub.runInfo().stream().map(GreenletDescriptor::new).toList();
        return new HubDescriptor(hub.name(), hub.liveCount(), hub.switchCount(), greenlets);
    }

    /** All hubs. */
    public record HubsDescriptor(List<HubDescriptor> hubs) {
    }

    /** One hub. */
    public record HubDescriptor(String name, int live, long switches, List<GreenletDescriptor> greenlets) {
    }

    /** One live greenlet, its stack as text lines. */
    public record GreenletDescriptor(long id, String name, String state, String waitingOn, String spawnedBy,
            List<String> stack) {
        GreenletDescriptor(GreenletInfo info) {
            this(info.id(), info.name(), info.state().name(), info.waitingOn(), info.spawnedBy(),
                    info.stack().stream().map(StackTraceElement::toString).toList());
        }
    }
}
