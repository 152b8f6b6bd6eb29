package dev.greenlet.spring.web;

import dev.greenlet.Greenlet;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import org.springframework.web.util.pattern.PatternParseException;

/**
 * The first filter of every request: decides, per request, where it runs. A request whose path
 * matches one of the excluded patterns ({@code greenlet.web.excluded-paths}, by default the
 * Actuator's paths, so health, liveness and readiness answer while a hub is held by a CPU-bound
 * request) stays on the server's virtual thread. Every other request moves into a greenlet named
 * after it, {@code "GET /orders/42"} (method and path, never the query string), through
 * {@link GreenletRequestExecutor#serve}; the rest of the filter chain and the handler run there.
 * The name is what the hub monitor's stall reports, run-info dumps, {@code /actuator/greenlets}
 * and the shutdown's list of killed requests show.
 *
 * <p>An error dispatch stays on the server's thread (Boot's error page is short work, and it
 * also answers for a request whose greenlet was killed). Called on a thread that already is a
 * greenlet, it only names the greenlet after the request for as long as it serves it.
 */
public class RequestGreenletFilter implements Filter {

    /** Longer paths are cut here, so that a name stays one readable log line. */
    static final int MAX_NAME_LENGTH = 200;

    private final GreenletRequestExecutor executor;
    private final List<PathPattern> excluded;

    /**
     * @param executor      runs the requests that are not excluded as greenlets
     * @param excludedPaths path patterns ({@link PathPattern} syntax, within the application's
     *                      context path) of requests that stay on the server's thread
     * @throws IllegalArgumentException naming {@code greenlet.web.excluded-paths} if a pattern does not parse
     */
    public RequestGreenletFilter(GreenletRequestExecutor executor, List<String> excludedPaths) {
        this.executor = Objects.requireNonNull(executor, "executor");
        PathPatternParser parser = new PathPatternParser();
        this.excluded = excludedPaths.stream().map(p -> {
            try {
                return parser.parse(p);
            } catch (PatternParseException e) {
                throw new IllegalArgumentException("greenlet.web.excluded-paths has an invalid pattern '"
                        + p + "': " + e.getMessage() + "; use Spring's path pattern syntax, such as /actuator/**", e);
            }
        }).toList();
    }

    /**
     * The default of {@code greenlet.web.excluded-paths}: the Actuator's base path and all under
     * it, and Boot's additional probe paths {@code /livez} and {@code /readyz}.
     *
     * @param actuatorBasePath {@code management.endpoints.web.base-path} ("/actuator" unless changed)
     */
    public static List<String> defaultExcludedPaths(String actuatorBasePath) {
        String base = actuatorBasePath == null ? "/actuator" : actuatorBasePath.strip();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        if (base.isEmpty()) { // endpoints at the root: their paths only, not every path of the application
            return List.of("/health/**", "/info", "/livez", "/readyz");
        }
        if (!base.startsWith("/")) {
            base = "/" + base;
        }
        return List.of(base + "/**", "/livez", "/readyz");
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest http) || !(response instanceof HttpServletResponse httpResponse)) {
            chain.doFilter(request, response);
            return;
        }
        Greenlet<?> greenlet = Greenlet.current();
        if (greenlet != null) {
            String previous = greenlet.name();
            greenlet.setName(nameOf(http));
            try {
                chain.doFilter(request, response);
            } finally {
                greenlet.setName(previous);
            }
            return;
        }
        if (request.getDispatcherType() == DispatcherType.ERROR || isExcluded(http)) {
            chain.doFilter(request, response);
            return;
        }
        executor.serve(nameOf(http), httpResponse, claimed -> chain.doFilter(request, claimed));
    }

    /** Whether the request's path within the application matches an excluded pattern. */
    boolean isExcluded(HttpServletRequest request) {
        if (excluded.isEmpty()) {
            return false;
        }
        String uri = request.getRequestURI();
        String contextPath = request.getContextPath();
        String path = contextPath != null && !contextPath.isEmpty() && uri.startsWith(contextPath)
                ? uri.substring(contextPath.length()) : uri;
        PathContainer container = PathContainer.parsePath(path.isEmpty() ? "/" : path);
        for (PathPattern pattern : excluded) {
            if (pattern.matches(container)) {
                return true;
            }
        }
        return false;
    }

    static String nameOf(HttpServletRequest request) {
        String name = request.getMethod() + " " + request.getRequestURI();
        return name.length() <= MAX_NAME_LENGTH ? name : name.substring(0, MAX_NAME_LENGTH) + "...";
    }
}
