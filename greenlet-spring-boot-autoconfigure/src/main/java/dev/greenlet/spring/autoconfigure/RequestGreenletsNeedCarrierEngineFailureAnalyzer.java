package dev.greenlet.spring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Reports {@link RequestGreenletsNeedCarrierEngineException}: turn patch-all on, or requests as greenlets off. */
class RequestGreenletsNeedCarrierEngineFailureAnalyzer
        extends AbstractFailureAnalyzer<RequestGreenletsNeedCarrierEngineException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, RequestGreenletsNeedCarrierEngineException cause) {
        String description = GreenletProperties.WEB_ENABLED + "=true serves each HTTP request as a greenlet, which"
                + " needs the carrier engine, but " + GreenletProperties.MONKEY_PATCH_ALL + " is off. On the permit"
                + " engine a request that waits in JDBC, a Redis client, an HTTP client or Thread.sleep would hold"
                + " its hub, and the hub's other requests would wait for it: requests one after another.";
        String action = "Set " + GreenletProperties.MONKEY_PATCH_ALL + "=true (it needs JDK "
                + CarrierEngineUnavailableFailureAnalyzer.MIN_JDK + "+ and the JVM started with "
                + CarrierEngineUnavailableFailureAnalyzer.FLAG + "), or remove " + GreenletProperties.WEB_ENABLED
                + " to serve requests on the server's own threads.";
        return new FailureAnalysis(description, action, cause);
    }
}
