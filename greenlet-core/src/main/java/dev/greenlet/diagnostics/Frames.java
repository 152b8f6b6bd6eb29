package dev.greenlet.diagnostics;

import java.util.List;

/** Telling the application's frames from the JDK's and the libraries' it runs on. */
final class Frames {

    private Frames() {
    }

    /** Packages whose frames are never "the application's": the JDK, this library, and the frameworks around it. */
    private static final String[] LIBRARY_PREFIXES = {
        "java.", "javax.", "jdk.", "sun.", "com.sun.", "dev.greenlet.", "org.springframework.", "com.zaxxer.",
        "org.apache.", "org.eclipse.jetty.", "io.undertow.", "io.netty.", "io.lettuce.", "redis.clients.",
        "org.postgresql.", "org.mariadb.", "com.mysql.", "org.hibernate.", "io.micrometer.", "reactor.",
        "ch.qos.logback.", "org.slf4j.", "com.fasterxml.", "tools.jackson.", "kotlin.", "kotlinx.", "org.junit.",
    };

    static boolean isLibraryOrJdk(String className) {
        if (className.startsWith("dev.greenlet.")) {
            // this library, except its sample application and its tests, which are applications
            int dollar = className.indexOf('$');
            String top = dollar < 0 ? className : className.substring(0, dollar);
            return !(className.startsWith("dev.greenlet.sample.") || top.endsWith("Test") || top.endsWith("Tests"));
        }
        for (String p : LIBRARY_PREFIXES) {
            if (className.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** The innermost frame of the application, or null when the stack has none. */
    static StackTraceElement firstApplicationFrame(List<StackTraceElement> stack) {
        for (StackTraceElement e : stack) {
            if (!isLibraryOrJdk(e.getClassName())) {
                return e;
            }
        }
        return null;
    }
}
