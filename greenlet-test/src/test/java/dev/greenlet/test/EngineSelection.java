package dev.greenlet.test;

import dev.greenlet.Hub;
import dev.greenlet.monkey.Monkey;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Runs this module's tests on the engine the build asks for, as greenlet-core's suite does:
 * {@code dev.greenlet.test.engine=carrier} calls {@link Monkey#patchAll()} before any test.
 */
public final class EngineSelection implements LauncherSessionListener {

    static Hub.Engine engine() {
        return "carrier".equals(System.getProperty("dev.greenlet.test.engine", "permit")) ? Hub.Engine.CARRIER : Hub.Engine.PERMIT;
    }

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if (engine() == Hub.Engine.CARRIER) {
            Monkey.patchAll();
        }
    }
}
