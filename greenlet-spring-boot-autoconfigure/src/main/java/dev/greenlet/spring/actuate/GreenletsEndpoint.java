package dev.greenlet.spring.actuate;

import dev.greenlet.Greenlet;
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
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.util.MimeType;
import dev.greenlet.diagnostics.HubHolders;
import dev.greenlet.diagnostics.Timeline;
import dev.greenlet.spring.GreenletObservers;

/**
 * The {@code greenlets} Actuator endpoint: the live greenlets of every hub (gevent's
 * {@code print_run_info}), grouped for a person to read: greenlets in the same state with the
 * same stack are one entry with their count, their names as name → count, what they wait for in
 * words, and the first frame of the application's own code, so a thousand requests waiting for
 * a pooled connection read as one line. The greenlet that serves the request to this endpoint
 * (with {@code greenlet.web.enabled}) is left out.
 *
 * <p>Two forms, chosen by the request's {@code Accept} header as Boot's thread dump endpoint
 * does: JSON by default, and {@code text/plain}, a few lines per group.
 *
 * <p>The answer is bounded: the largest {@code limit} groups per hub ({@value #DEFAULT_LIMIT}
 * unless the request says {@code ?limit=N}, at most {@value #MAX_LIMIT}), each stack cut to
 * {@value #MAX_FRAMES} frames and each group naming at most {@value #MAX_NAMES} distinct names
 * (the rest counted under {@value #OTHER_NAMES}). The counts come from one snapshot per hub and
 * agree: {@code live} is the number of greenlets in the snapshot, the sum of the groups' counts
 * plus {@code omitted} (greenlets of groups beyond the limit).
 *
 * <p>With {@link GreenletObservers} it also says who holds the hubs: {@code holders}, per
 * greenlet name (a request's method and path template, a {@code @Greenlet} method, a spawned
 * greenlet's name) the time it held a hub over the last minute, its turns and its longest turn,
 * the {@value #MAX_HOLDERS} largest. And it serves the timeline of every turn:
 * {@code /actuator/greenlets/timeline?seconds=N} is Chrome trace-event JSON (open it in
 * Perfetto or {@code chrome://tracing}), {@code /actuator/greenlets/timeline.html?seconds=N}
 * a self-contained page that draws it (no CDN, no network: the trace is inlined).
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
    public static final int MAX_FRAMES = 32;
    /** The most distinct greenlet names a group lists. */
    public static final int MAX_NAMES = 10;
    /** The key under which a group counts the greenlets whose names are beyond {@link #MAX_NAMES}. */
    public static final String OTHER_NAMES = "(other names)";

    /** Packages whose frames are never the application's, when the application's packages are not known. */
    private static final List<String> LIBRARY_PACKAGES = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.",
            "dev.greenlet.", "org.springframework.", "org.apache.", "org.eclipse.jetty.", "jakarta.", "com.zaxxer.",
            "org.postgresql.", "org.mariadb.", "com.mysql.", "io.lettuce.", "redis.clients.", "io.netty.", "reactor.",
            "io.micrometer.", "tools.jackson.", "com.fasterxml.", "org.slf4j.", "ch.qos.logback.");

    /** The most names {@code holders} lists. */
    public static final int MAX_HOLDERS = 20;
    /** The path under the endpoint of the timeline's JSON. */
    public static final String TIMELINE = "timeline";
    /** The path under the endpoint of the timeline's page. */
    public static final String TIMELINE_HTML = "timeline.html";
    private static final int DEFAULT_SECONDS = 10;

    private final GreenletHubs hubs;
    private final List<String> applicationPackages;
    private final @Nullable GreenletObservers observers;

    /** An endpoint that tells the application's frames from libraries' by a list of library packages. */
    public GreenletsEndpoint(GreenletHubs hubs) {
        this(hubs, List.of());
    }

    /**
     * @param hubs                the hubs to describe
     * @param applicationPackages the application's packages (Boot's auto-configuration packages):
     *                            a frame in one of them is the application's; empty to judge by
     *                            a list of library packages instead
     */
    public GreenletsEndpoint(GreenletHubs hubs, List<String> applicationPackages) {
        this(hubs, applicationPackages, null);
    }

    /**
     * @param observers the timeline and "who holds the hub" recorders, or null for an endpoint
     *                  without them
     */
    public GreenletsEndpoint(GreenletHubs hubs, List<String> applicationPackages, @Nullable GreenletObservers observers) {
        this.hubs = hubs;
        this.applicationPackages = applicationPackages.stream().map(p -> p.endsWith(".") ? p : p + ".").toList();
        this.observers = observers;
    }

    /**
     * The timeline of the last {@code seconds} (default {@value #DEFAULT_SECONDS}, at most
     * {@code greenlet.timeline.keep}): {@value #TIMELINE} answers Chrome trace-event JSON,
     * {@value #TIMELINE_HTML} the page that draws it. A bad {@code seconds} answers 400, a
     * timeline that is off 404, each with a message that names the fix.
     */
    @ReadOperation(produces = { "application/json", "text/html;charset=UTF-8" })
    public WebEndpointResponse<String> timeline(@Selector String part, @Nullable Integer seconds) {
        boolean html = TIMELINE_HTML.equals(part);
        if (!html && !TIMELINE.equals(part)) {
            return error(WebEndpointResponse.STATUS_NOT_FOUND, "no part '" + part + "' of the greenlets endpoint; ask for "
                    + TIMELINE + " (JSON) or " + TIMELINE_HTML + " (a page)");
        }
        Timeline timeline = observers == null ? null : observers.timeline();
        if (timeline == null) {
            return error(WebEndpointResponse.STATUS_NOT_FOUND, "the timeline is off; set greenlet.timeline.enabled=true"
                    + " (the default) to record the hubs' turns");
        }
        java.time.Duration keep = observers.timelineKeep();
        long max = keep == null ? 60 : Math.max(1, keep.toSeconds());
        int s = seconds == null ? (int) Math.min(DEFAULT_SECONDS, max) : seconds;
        if (s < 1 || s > max) {
            return error(WebEndpointResponse.STATUS_BAD_REQUEST, "seconds must be between 1 and " + max
                    + " (greenlet.timeline.keep), got " + seconds + "; ask for ?seconds=" + Math.min(DEFAULT_SECONDS, max));
        }
        String json = timeline.chromeTrace(java.time.Duration.ofSeconds(s));
        if (!html) {
            return new WebEndpointResponse<>(json, WebEndpointResponse.STATUS_OK, MimeType.valueOf("application/json"));
        }
        String page = TimelinePage.TEMPLATE.replace("__SECONDS__", Integer.toString(s)).replace("__TRACE_JSON__", json);
        return new WebEndpointResponse<>(page, WebEndpointResponse.STATUS_OK, MimeType.valueOf("text/html;charset=UTF-8"));
    }

    private static WebEndpointResponse<String> error(int status, String message) {
        StringBuilder json = new StringBuilder("{\"status\":").append(status).append(",\"error\":\"");
        for (char c : message.toCharArray()) {
            if (c == '"' || c == '\\') {
                json.append('\\');
            }
            json.append(c < 0x20 ? ' ' : c);
        }
        return new WebEndpointResponse<>(json.append("\"}").toString(), status, MimeType.valueOf("application/json"));
    }

    /** The page's template, read once from the jar. */
    private static final class TimelinePage {
        static final String TEMPLATE;
        static {
            try (java.io.InputStream in = GreenletsEndpoint.class.getResourceAsStream("timeline.html")) {
                if (in == null) {
                    throw new IllegalStateException("timeline.html is missing next to " + GreenletsEndpoint.class.getName()
                            + " in the starter's jar");
                }
                TEMPLATE = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private List<HolderDescriptor> holders() {
        HubHolders h = observers == null ? null : observers.holders();
        if (h == null) {
            return List.of();
        }
        return h.top(MAX_HOLDERS).stream().map(x -> new HolderDescriptor(x.name(), x.held().toNanos() / 1e6, x.turns(),
                x.longestTurn().toNanos() / 1e6)).toList();
    }

    /**
     * The hubs and their live greenlets, grouped by state and stack, largest groups first.
     *
     * @param limit the most groups to list per hub (null: {@value #DEFAULT_LIMIT})
     * @throws IllegalArgumentException if {@code limit} is below 1 or above {@value #MAX_LIMIT}
     */
    @ReadOperation
    public HubsDescriptor greenlets(@Nullable Integer limit) {
        int groups = checkLimit(limit);
        Greenlet<?> self = Greenlet.current(); // the request to this endpoint, if it is a greenlet
        long selfId = self == null ? -1 : self.id();
        return new HubsDescriptor(hubs.hubs().stream().map(hub -> describe(hub, groups, selfId)).toList(), holders());
    }

    /**
     * The same as {@link #greenlets}, as text: per hub a heading line, then per group a line with
     * its count, state, what it waits for and its names, the first application frame, and the
     * stack.
     *
     * @param limit the most groups to list per hub (null: {@value #DEFAULT_LIMIT})
     */
    @ReadOperation(produces = "text/plain;charset=UTF-8")
    public String greenletsText(@Nullable Integer limit) {
        StringBuilder text = new StringBuilder();
        HubsDescriptor all = greenlets(limit);
        for (HubDescriptor hub : all.hubs()) {
            text.append("Hub \"").append(hub.name()).append("\": ").append(hub.live()).append(" live, ")
                    .append(hub.switches()).append(" switches");
            if (hub.omitted() > 0) {
                text.append(", ").append(hub.omitted()).append(" more in smaller groups not shown (?limit=N)");
            }
            text.append('\n');
            for (GroupDescriptor group : hub.groups()) {
                text.append('\n').append(group.count()).append(" x ").append(group.state()).append(", waiting for ")
                        .append(counted(group.waitingOn())).append("\n    names: ").append(counted(group.names()))
                        .append('\n');
                if (group.applicationFrame() != null) {
                    text.append("    in ").append(group.applicationFrame()).append('\n');
                }
                for (String frame : group.stack()) {
                    text.append("        at ").append(frame).append('\n');
                }
                if (group.stackTruncated()) {
                    text.append("        ...\n");
                }
            }
            text.append('\n');
        }
        if (!all.holders().isEmpty()) {
            text.append("Who held the hubs over the last minute (ms held, turns, longest turn ms):\n");
            for (HolderDescriptor h : all.holders()) {
                text.append(String.format(java.util.Locale.ROOT, "%10.1f %8d %8.2f  %s%n", h.heldMs(), h.turns(),
                        h.longestTurnMs(), h.name()));
            }
        }
        return text.toString();
    }

    private static int checkLimit(@Nullable Integer limit) {
        int groups = limit == null ? DEFAULT_LIMIT : limit;
        if (groups < 1 || groups > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        return groups;
    }

    /** "a, b (3), c" for a map of counts: a count is shown where it is more than one. */
    private static String counted(Map<String, Integer> counts) {
        List<String> parts = new ArrayList<>();
        counts.forEach((what, count) -> parts.add(count == 1 ? what : what + " (" + count + ")"));
        return String.join(", ", parts);
    }

    private HubDescriptor describe(Hub hub, int limit, long selfId) {
        // The one snapshot every count below comes from, without the request to this endpoint.
        List<GreenletInfo> infos = GreenletInfo.runInfo(hub).stream().filter(info -> info.id() != selfId).toList();
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

    /** What a greenlet waits for, in words: its {@code waitingOn} if it has one, else what its state means. */
    static String waitingFor(GreenletInfo info) {
        if (info.waitingOn() != null && !info.waitingOn().isBlank()) {
            return info.waitingOn();
        }
        return switch (info.state()) {
            case RUNNING -> "nothing: it has the hub's turn";
            case READY -> "its turn on the hub";
            case SLEEPING -> "a timer";
            case WAITING -> "an object that does not describe itself";
            case OFFLOADED -> "a blocking call on another thread";
        };
    }

    /** The innermost frame of the application's own code, or null if the stack has none. */
    @Nullable String applicationFrame(List<StackTraceElement> stack) {
        for (StackTraceElement frame : stack) {
            String className = frame.getClassName();
            boolean application = applicationPackages.isEmpty()
                    ? LIBRARY_PACKAGES.stream().noneMatch(className::startsWith)
                    : applicationPackages.stream().anyMatch(className::startsWith);
            if (application) {
                return frame.toString();
            }
        }
        return null;
    }

    /** Greenlets with one state and stack, while they are being counted. */
    private final class Group {
        private final GreenletInfo first;
        private final List<String> stack;
        private final Map<String, Integer> names = new LinkedHashMap<>();
        private final Map<String, Integer> waitingOn = new LinkedHashMap<>();
        private int count;

        Group(GreenletInfo first, List<String> stack) {
            this.first = first;
            this.stack = stack;
        }

        void add(GreenletInfo info) {
            count++;
            names.merge(info.name() == null ? "(unnamed)" : info.name(), 1, Integer::sum);
            waitingOn.merge(waitingFor(info), 1, Integer::sum);
        }

        GroupDescriptor describe() {
            return new GroupDescriptor(count, first.state().name(), mostFirst(waitingOn), mostFirst(names),
                    applicationFrame(first.stack()), first.stack().size() > MAX_FRAMES, stack);
        }

        /** The {@value GreenletsEndpoint#MAX_NAMES} largest counts, largest first; the rest under {@value GreenletsEndpoint#OTHER_NAMES}. */
        private static Map<String, Integer> mostFirst(Map<String, Integer> counts) {
            List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
            entries.sort(Map.Entry.<String, Integer>comparingByValue().reversed());
            Map<String, Integer> shown = new LinkedHashMap<>();
            int others = 0;
            for (Map.Entry<String, Integer> e : entries) {
                if (shown.size() < MAX_NAMES) {
                    shown.put(e.getKey(), e.getValue());
                } else {
                    others += e.getValue();
                }
            }
            if (others > 0) {
                shown.merge(OTHER_NAMES, others, Integer::sum);
            }
            return shown;
        }
    }

    /** All hubs. */
    public record HubsDescriptor(List<HubDescriptor> hubs, List<HolderDescriptor> holders) {
    }

    /**
     * Who held the hubs over the last minute: a greenlet name, the milliseconds its greenlets
     * held a hub, their turns and the longest one.
     */
    public record HolderDescriptor(String name, double heldMs, long turns, double longestTurnMs) {
    }

    /**
     * One hub: {@code live} greenlets in the snapshot, of which {@code omitted} are in groups
     * beyond the limit and the rest in {@code groups}.
     */
    public record HubDescriptor(String name, int live, long switches, int omitted, List<GroupDescriptor> groups) {
    }

    /**
     * {@code count} greenlets in the same state with the same stack (innermost frame first, cut
     * to {@value GreenletsEndpoint#MAX_FRAMES} frames if {@code stackTruncated}): what they wait
     * for in words and their names, each as text → how many, largest first; the innermost frame of
     * the application's own code, or null.
     */
    public record GroupDescriptor(int count, String state, Map<String, Integer> waitingOn, Map<String, Integer> names,
            @Nullable String applicationFrame, boolean stackTruncated, List<String> stack) {
    }
}
