package dev.greenlet.spring.web;

import dev.greenlet.Greenlet;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;

/**
 * Names a request greenlet after the request it serves, {@code "GET /orders/42"} (method and
 * path, never the query string), for as long as it serves it, so that the hub monitor's stall
 * reports, run-info dumps, {@code /actuator/greenlets} and the shutdown's list of killed
 * greenlets say which request it was. Between requests the greenlet gets its previous name back.
 * On a thread that is not a greenlet it does nothing.
 */
public class RequestGreenletFilter implements Filter {

    /** Longer paths are cut here, so that a name stays one readable log line. */
    static final int MAX_NAME_LENGTH = 200;

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        Greenlet<?> greenlet = Greenlet.current();
        if (greenlet == null || !(request instanceof HttpServletRequest http)) {
            chain.doFilter(request, response);
            return;
        }
        String previous = greenlet.name();
        greenlet.setName(nameOf(http));
        try {
            chain.doFilter(request, response);
        } finally {
            greenlet.setName(previous);
        }
    }

    static String nameOf(HttpServletRequest request) {
        String name = request.getMethod() + " " + request.getRequestURI();
        return name.length() <= MAX_NAME_LENGTH ? name : name.substring(0, MAX_NAME_LENGTH) + "...";
    }
}
