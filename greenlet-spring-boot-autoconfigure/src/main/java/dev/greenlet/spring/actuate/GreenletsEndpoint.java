package dev.greenlet.spring.actuate;

import dev.greenlet.diagnostics.GreenletInfo;
import dev.greenlet.Hub;
import dev.greenlet.spring.GreenletHubs;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code greenlets} Actuator endpoint: the live greenlets of every hub (gevent's
 * {@code print_run_info}), grouped: greenlets in the same state with the same stack are one
 * entry with their count, so a thousand greenlets waiting in the same call read as one. The
 * answer is bounded: the largest {@code limit} groups per hub ({@value #DEFAULT_LIMIT} unless
 * the request says {@code ?limit=N}, at most {@value #MAX_LIMIT}), each stack cut to
 * {@value #MAX_FRAMES} frames and naming at most {@value #MAX_NAMES} of its greenlets.
 *
 * <p>The counts come from one snapshot per hub and agree: {@code live} is the number of
 * greenlets in the snapshot, the sum of the groups' counts plus {@code omitted} (greenlets of
 * groups beyond the limit).
 *
 * <p>Like every endpoint but health, it is not exposed over HTTP unless the application says
 * so ({@code management.endpoints.web.exposure.include=greenlets}); stacks show code, so expose
 * it only where the management port is private.
 */
@Endpoint(id = "greenlets")
public class GreenletsEndpoint {

    /** How many groups per hub the endpoint lists when the request names no limit. */
    public static final int DEFAULT_LIMIT = 20;
    /** The most groups per hub a request may ask for. */
    public static final int MAX_LIMIT = 1000;
    /** The most frames of a group's stack the endpoint shows, innermost first. */
    public static final int MAX_FRAMES = 64;
    /** The most greenlet names a group lists. */
    public static final int MAX_NAMES = 10;

    private final GreenletHubs hubs;

    public GreenletsEndpoint(GreenletHubs hubs) {
        this.hubs = hubs;
    }

    /**
     * The hubs and their live greenlets, grouped by state and stack, largest groups first.
     *
     * @param limit the most groups to list per hub (null: {@value #DEFAULT_LIMIT})
     * @throws IllegalArgumentException if {@code limit} is below 1 or above {@value #MAX_LIMIT}
     */
    @ReadOperation
    public HubsDescriptor greenlets(@Nullable Integer limit) {
        int groups = limit == null ? DEFAULT_LIMIT : limit;
        if (groups < 1 || groups > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        return new HubsDescriptor(hubs.hubs().stream().map(hub -> describe(hub, groups)).toList());
    }

    private static HubDescriptor describe(Hub hub, int limit) {
        List<GreenletInfo> infos = hub.runInfo(); // the one snapshot every count below comes from
        Map<List<Object>, Group> byStack = new LinkedHashMap<>();
        for (GreenletInfo info : infos) {
            List<String> stack = info.stack().stream().limit(MAX_FRAMES).map(StackTraceElement::toString).toList();
            byStack.computeIfAbsent(List.of(info.state(), stack), key -> new Group(info, stack)).add(info);
        }
        List<Group> largestFirst = new ArrayList<>(byStack.values());
        largestFirst.sort(Comparator.comparingInt((Group g) -> g.count).reversed());
        List<GroupDescriptor> shown = largestFirst.stream().limit(limit).map(Group::describe).toList();
        int omitted = largestFirst.stream().skip(limit).mapToInt(g -> g.count).sum();
        return new HubDescriptor(hub.name(), infos.size(), hub.switchCount(), omitted, shown);
    }

    /** Greenlets with one state and stack, while they are being counted. */
    private static final class Group {
        private final GreenletInfo first;
        private final List<String> stack;
        private final List<String> names = new ArrayList<>();
        private int count;
        private boolean sameWaitingOn = true;

        Group(GreenletInfo first, List<String> stack) {
            this.first = first;
            this.stack = stack;
        }

        void add(GreenletInfo info) {
            count++;
            if (names.size() < MAX_NAMES) {
                names.add(info.name());
            }
            sameWaitingOn &= java.util.Objects.equals(info.waitingOn(), first.waitingOn());
        }

        GroupDescriptor describe() {
            return new GroupDescriptor(count, first.state().name(), sameWaitingOn ? first.waitingOn() : "various",
                    List.copyOf(names), first.stack().size() > MAX_FRAMES, stack);
        }
    }

    /** All hubs. */
    public record HubsDescriptor(List<HubDescriptor> hubs) {
    }

    /**
     * One hub: {@code live} greenlets in the snapshot, of which {@code omitted} are in groups
     * beyond the limit and the rest in {@code groups}.
     */
    public record HubDescriptor(String name, int live, long switches, int omitted, List<GroupDescriptor> groups) {
    }

    /**
     * {@code count} greenlets in the same state with the same stack (innermost frame first, cut
     * to {@value GreenletsEndpoint#MAX_FRAMES} frames if {@code stackTruncated}); the first
     * {@value GreenletsEndpoint#MAX_NAMES} of their names; what they wait on, or "various".
     */
    public record GroupDescriptor(int count, String state, String waitingOn, List<String> names,
            boolean stackTruncated, List<String> stack) {
    }
}
