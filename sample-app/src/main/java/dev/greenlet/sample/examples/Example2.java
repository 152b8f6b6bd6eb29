package dev.greenlet.sample.examples;

import static dev.greenlet.Gevent.joinall;
import static dev.greenlet.Gevent.run;
import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;

import dev.greenlet.Greenlet;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

/** The tutorial's example 2: the same task run synchronously, then as ten greenlets. */
public final class Example2 {

    private final PrintStream out;

    public Example2(PrintStream out) {
        this.out = out;
    }

    void task(int pid) {
        sleep(ThreadLocalRandom.current().nextInt(0, 3)); // random.randint(0, 2) * 0.001 seconds
        out.println("Task " + pid + " done");
    }

    void synchronous() {
        for (int i = 1; i < 10; i++) {
            task(i);
        }
    }

    void asynchronous() {
        List<Greenlet<Void>> threads = IntStream.range(0, 10).mapToObj(i -> spawn(() -> task(i))).toList();
        joinall(threads);
    }

    public void main() {
        run(() -> {
            out.println("Synchronous:");
            synchronous();
            out.println("Asynchronous:");
            asynchronous();
        });
    }
}
