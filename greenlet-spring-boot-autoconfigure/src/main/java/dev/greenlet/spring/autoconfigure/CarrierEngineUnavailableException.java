package dev.greenlet.spring.autoconfigure;

/**
 * {@code greenlet.monkey.patch-all=true} asked for the carrier engine, which this JVM cannot run:
 * it is older than JDK 24, or was started without
 * {@code --add-opens java.base/java.lang=ALL-UNNAMED}. Thrown at start-up, before any bean
 * exists; {@link CarrierEngineUnavailableFailureAnalyzer} turns it into Boot's
 * "APPLICATION FAILED TO START" report, whose Action shows where the flag goes.
 */
public class CarrierEngineUnavailableException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final int javaFeatureVersion;

    /**
     * @param reason             why the engine cannot run, as {@code Hub.Engine.CARRIER.unavailableReason()} says
     * @param javaFeatureVersion the running JVM's feature version ({@code Runtime.version().feature()})
     */
    public CarrierEngineUnavailableException(String reason, int javaFeatureVersion) {
        super(GreenletProperties.MONKEY_PATCH_ALL + "=true cannot be applied: " + reason);
        this.javaFeatureVersion = javaFeatureVersion;
    }

    /** The running JVM's feature version, 24 or more if only the flag is missing. */
    public int getJavaFeatureVersion() {
        return this.javaFeatureVersion;
    }

    /** Whether this JVM is too old for the carrier engine, whatever its flags. */
    public boolean isJdkTooOld() {
        return this.javaFeatureVersion < CarrierEngineUnavailableFailureAnalyzer.MIN_JDK;
    }
}
