package dev.greenlet;

import dev.greenlet.monkey.Monkey;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Runs the core suite on the engine the build asks for: the system property
 * {@code dev.greenlet.test.engine} is {@code permit} (the default) or {@code carrier}, which
 * calls {@link Monkey#patchAll()} before any test, as an application would first thing in
 * {@code main}. The surefire configuration runs the suite once per engine, each in a JVM of
 * its own (the patch is JVM-wide).
 */
public final class EngineSelection implements LauncherSessionListener {

    /** The engine this JVM's tests run on. */
    public static Hub.Engine engine() {
        String name = System.getProperty("dev.greenlet.test.engine", "permit");
        return switch (name) {
            case "permit" -> Hub.Engine.PERMIT;
            case "carrier" -> Hub.Engine.CARRIER;
            default -> throw new IllegalArgumentException("dev.greenlet.test.engine must be permit or carrier, got " + name);
        };
    }

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if (engine() == Hub.Engine.CARRIER) {
            Monkey.patchAll();
        }
    }
}
