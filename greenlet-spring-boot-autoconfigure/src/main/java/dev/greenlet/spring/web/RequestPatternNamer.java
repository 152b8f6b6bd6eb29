package dev.greenlet.spring.web;

import dev.greenlet.Greenlet;
import jakarta.servlet.ServletRequestAttributeEvent;
import jakarta.servlet.ServletRequestAttributeListener;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Renames a request's greenlet to the request's method and path <em>template</em>
 * ({@code "GET /orders/{id}"}) once Spring MVC's handler mapping has chosen it, so that the
 * timeline and "who holds the hub" count the requests of one handler under one name, whatever
 * their ids. Until then ({@link RequestGreenletFilter}) the greenlet is named by the raw path.
 *
 * <p>How: the handler mapping stores the best matching pattern as a request attribute; this
 * listener sees the attribute being set, on the thread that handles the request, which is the
 * request's greenlet. It needs nothing of Spring MVC (a servlet listener), and does nothing on a
 * thread that is no greenlet.
 */
public class RequestPatternNamer implements ServletRequestAttributeListener {

    /** Spring MVC's {@code HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE}. */
    static final String BEST_MATCHING_PATTERN = "org.springframework.web.servlet.HandlerMapping.bestMatchingPattern";

    @Override
    public void attributeAdded(ServletRequestAttributeEvent event) {
        rename(event);
    }

    @Override
    public void attributeReplaced(ServletRequestAttributeEvent event) {
        rename(event);
    }

    private static void rename(ServletRequestAttributeEvent event) {
        if (!BEST_MATCHING_PATTERN.equals(event.getName())) {
            return;
        }
        Object pattern = event.getServletRequest().getAttribute(BEST_MATCHING_PATTERN); // the new value, also when replaced
        Greenlet<?> greenlet = Greenlet.current();
        if (pattern == null || greenlet == null || !(event.getServletRequest() instanceof HttpServletRequest http)) {
            return;
        }
        String name = http.getMethod() + " " + pattern;
        greenlet.setName(name.length() <= RequestGreenletFilter.MAX_NAME_LENGTH ? name
                : name.substring(0, RequestGreenletFilter.MAX_NAME_LENGTH) + "...");
    }
}
