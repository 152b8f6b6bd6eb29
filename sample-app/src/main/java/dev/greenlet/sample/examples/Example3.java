package dev.greenlet.sample.examples;

import static dev.greenlet.Gevent.joinall;
import static dev.greenlet.Gevent.run;
import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;

import dev.greenlet.select.Select;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** The tutorial's example 3: two cooperative selects and a third greenlet overlap; the run takes 2 s, not 4. */
public final class Example3 {

    private final PrintStream out;
    private final long start = System.nanoTime();

    public Example3(PrintStream out) {
        this.out = out;
    }

    String tic() {
        return String.format(Locale.ROOT, "at %1.1f seconds", (System.nanoTime() - start) / 1e9);
    }

    void gr1() {
        out.println("Started Polling: " + tic());
        Select.select(List.of(), List.of(), Duration.ofSeconds(2));
        out.println("Ended Polling: " + tic());
    }

    void gr2() {
        out.println("Started Polling: " + tic());
        Select.select(List.of(), List.of(), Duration.ofSeconds(2));
        out.println("Ended Polling: " + tic());
    }

    void gr3() {
        out.println("Hey lets do some stuff while the greenlets poll, " + tic());
        sleep(1000);
    }

    public void main() {
        run(() -> joinall(List.of(spawn(this::gr1), spawn(this::gr2), spawn(this::gr3))));
    }
}
