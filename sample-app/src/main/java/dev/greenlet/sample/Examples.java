package dev.greenlet.sample;

import dev.greenlet.sample.examples.Example1;
import dev.greenlet.sample.examples.Example2;
import dev.greenlet.sample.examples.Example3;
import dev.greenlet.sample.examples.Example4;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.springframework.stereotype.Component;

/** Runs the tutorial's examples, each printing to the stream it is given. */
@Component
public class Examples {

    /** How many examples there are. */
    public static final int COUNT = 4;

    /** Runs example {@code n} (1 to 4), printing to {@code out}. */
    public void run(int n, PrintStream out) throws Exception {
        switch (n) {
            case 1 -> new Example1(out).main();
            case 2 -> new Example2(out).main();
            case 3 -> new Example3(out).main();
            case 4 -> new Example4(out).main();
            default -> throw new IllegalArgumentException("there is no example " + n + "; the examples are 1 to " + COUNT);
        }
    }

    /** Runs example {@code n} and returns what it printed. */
    public String output(int n) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            run(n, out);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Runs every example in order, each after a header line {@code == Example N}. */
    public void runAll(PrintStream out) throws Exception {
        for (int n = 1; n <= COUNT; n++) {
            out.println("== Example " + n);
            run(n, out);
        }
        out.flush();
    }
}
