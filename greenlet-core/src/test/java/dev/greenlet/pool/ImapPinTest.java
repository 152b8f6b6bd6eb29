package dev.greenlet.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Greenlet;
import dev.greenlet.Hub;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The greenlet that first calls {@code imap} is not kept reachable by {@link MapIterator}'s
 * statics once it is done (its end marker used to be a static greenlet, whose spawner was that
 * greenlet: pinned, with all it referenced, for the life of the JVM).
 *
 * <p>Statics initialise once per class loader, and other tests in this JVM have long since
 * called {@code imap}; so the probe runs in a fresh loader of the library's classes, where its
 * greenlet is the first ever to call it, and the test holds that loader (so the statics live)
 * while it checks that the greenlet can be collected.
 */
class ImapPinTest {

    /** Runs in the isolated loader: one greenlet calls imap and ends; returns a weak reference to it. */
    public static final class Probe implements Supplier<WeakReference<Object>> {
        @Override
        public WeakReference<Object> get() {
            Hub hub = new Hub("imap pin probe");
            try {
                return hub.run(() -> {
                    List<Integer> doubled = new ArrayList<>();
                    new Group().imap((Integer i) -> i * 2, List.of(1, 2, 3)).forEachRemaining(doubled::add);
                    if (!doubled.equals(List.of(2, 4, 6))) {
                        throw new AssertionError("imap returned " + doubled);
                    }
                    return new WeakReference<>(Greenlet.current());
                });
            } finally {
                hub.close();
            }
        }
    }

    /** Loads {@code dev.greenlet} classes itself (child first), everything else from its parent. */
    private static final class IsolatedLoader extends URLClassLoader {
        IsolatedLoader(URL[] urls, ClassLoader parent) {
            super(urls, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("dev.greenlet.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    c = findClass(name);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }

    @Test
    void theFirstGreenletToCallImapCanBeCollected() throws Exception {
        URL mainClasses = MapIterator.class.getProtectionDomain().getCodeSource().getLocation();
        URL testClasses = ImapPinTest.class.getProtectionDomain().getCodeSource().getLocation();
        try (IsolatedLoader loader = new IsolatedLoader(new URL[] {mainClasses, testClasses}, getClass().getClassLoader())) {
            Class<?> probe = loader.loadClass(Probe.class.getName());
            assertThat(probe.getClassLoader()).as("the probe runs in the isolated loader").isSameAs(loader);
            @SuppressWarnings("unchecked")
            Supplier<WeakReference<Object>> run = (Supplier<WeakReference<Object>>) probe.getConstructor().newInstance();
            WeakReference<Object> firstCaller = run.get();
            Class<?> mapIterator = loader.loadClass(MapIterator.class.getName());
            assertThat(mapIterator.getClassLoader()).as("MapIterator's statics are the isolated loader's").isSameAs(loader);
            for (int i = 0; i < 100 && firstCaller.get() != null; i++) {
                System.gc();
                Thread.sleep(10);
            }
            assertThat(firstCaller.get())
                    .as("the first greenlet that called imap, after 100 collections with MapIterator still loaded")
                    .isNull();
            assertThat(mapIterator).isNotNull(); // keeps the class, and so its statics, reachable until here
        }
    }
}
