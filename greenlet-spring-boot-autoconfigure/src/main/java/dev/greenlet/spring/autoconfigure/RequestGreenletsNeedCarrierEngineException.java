package dev.greenlet.spring.autoconfigure;

/**
 * {@code greenlet.web.enabled=true} without the carrier engine: on the permit engine a request
 * that waits in JDBC, a Redis client or {@code Thread.sleep} would hold its hub and serve every
 * request one after another. Thrown at start-up, before any bean exists;
 * {@link RequestGreenletsNeedCarrierEngineFailureAnalyzer} reports it.
 */
public class RequestGreenletsNeedCarrierEngineException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public RequestGreenletsNeedCarrierEngineException() {
        super(GreenletProperties.WEB_ENABLED + "=true needs the carrier engine (" + GreenletProperties.MONKEY_PATCH_ALL
                + "=true), which is off");
    }
}
