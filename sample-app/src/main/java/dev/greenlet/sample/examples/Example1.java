package dev.greenlet.sample.examples;

import static dev.greenlet.Gevent.joinall;
import static dev.greenlet.Gevent.run;
import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;

import java.io.PrintStream;
import java.util.List;

/** The tutorial's example 1: explicit context switches with {@code sleep(0)}. */
public final class Example1 {

    private final PrintStream out;

    public Example1(PrintStream out) {
        this.out = out;
    }

    void foo() {
        out.println("Running in foo");
        sleep(0);
        out.println("Explicit context switch to foo again");
    }

    void bar() {
        out.println("Explicit context to bar");
        sleep(0);
        out.println("Implicit context switch back to bar");
    }

    public void main() {
        run(() -> joinall(List.of(spawn(this::foo), spawn(this::bar))));
    }
}
