package dev.greenlet.sample;

import dev.greenlet.monkey.Monkey;
import dev.greenlet.spring.autoconfigure.GreenletProperties;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.List;
import dev.greenlet.Greenlet;
import dev.greenlet.pool.Pool;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The sample's endpoints: {@code /examples/{n}} runs a tutorial example; {@code /slow?ms=D}
 * answers after D ms; {@code /fanout?calls=N&ms=D} makes N calls to {@code /slow} as greenlets
 * of a {@link Pool}, at most {@link #MAX_CONCURRENT_CALLS} at once, and reports how long they
 * took together.
 *
 * <p>The fan-out is bounded twice: at most {@link #MAX_CALLS} calls per request (more get a 400
 * that says so), and at most {@link #MAX_CONCURRENT_CALLS} of them in flight, in a gevent-style
 * {@code Pool} whose {@code spawn} waits cooperatively for a free slot. An unbounded spawn of
 * one greenlet per call would open one socket per call at once, and a large fan-out would run
 * the process out of file descriptors.
 */
@RestController
public class SampleController {

    /** The most calls one fan-out may make. */
    public static final int MAX_CALLS = 1000;
    /** The most calls of one fan-out in flight at once: the size of its pool. */
    public static final int MAX_CONCURRENT_CALLS = 50;
    /** The longest delay /slow and /fanout accept, in milliseconds. */
    public static final long MAX_MS = 10_000;

    private final Examples examples;
    private final SlowCaller caller;
    private final boolean httpClientsPatched;

    public SampleController(Examples examples, SlowCaller caller,
            @Value("${" + GreenletProperties.MONKEY_PATCH_HTTP_CLIENTS + ":false}") boolean httpClientsPatched) {
        this.examples = examples;
        this.caller = caller;
        this.httpClientsPatched = httpClientsPatched;
    }

    @GetMapping(path = "/examples/{n}", produces = MediaType.TEXT_PLAIN_VALUE)
    public String example(@PathVariable int n) throws Exception {
        if (n < 1 || n > Examples.COUNT) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "there is no example " + n + "; the examples are 1 to "
                    + Examples.COUNT);
        }
        return examples.output(n);
    }

    @GetMapping(path = "/slow", produces = MediaType.TEXT_PLAIN_VALUE)
    public String slow(@RequestParam long ms) throws InterruptedException {
        checkMs(ms);
        Thread.sleep(ms); // the request's greenlet waits; its hub serves other requests meanwhile
        return "ok";
    }

    /**
     * The JSON /fanout answers with. {@code cooperativeCalls}: whether the {@code RestClient}
     * calls wait cooperatively, so that they overlap: Boot's default client is the JDK
     * {@code HttpClient}, which only {@code greenlet.monkey.patch-http-clients} (or the carrier
     * engine of {@code patch-all}) makes cooperative; the socket patch does not reach it.
     * {@code patched}: every patch that is on, including ones the fan-out does not use.
     */
    public record FanOutResult(int calls, int succeeded, int failed, long wallMillis, long slowestMillis,
            boolean cooperativeCalls, List<String> patched) {
    }

    @GetMapping("/fanout")
    public FanOutResult fanout(@RequestParam int calls, @RequestParam long ms, HttpServletRequest request) {
        if (calls < 1 || calls > MAX_CALLS) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "calls must be between 1 and " + MAX_CALLS + ", got " + calls);
        }
        checkMs(ms);
        int port = request.getLocalPort();
        long start = System.nanoTime();
        Pool pool = new Pool(MAX_CONCURRENT_CALLS);
        List<Greenlet<Long>> members = new ArrayList<>(calls);
        for (int i = 0; i < calls; i++) {
            members.add(pool.spawn(() -> caller.time(port, ms))); // waits while the pool is full
        }
        int succeeded = 0;
        long slowest = 0;
        for (Greenlet<Long> g : members) {
            try {
                slowest = Math.max(slowest, g.get());
                succeeded++;
            } catch (RuntimeException failed) {
                // counted below; the hub also counted it (greenlet.failed) and logged it
            }
        }
        long wall = (System.nanoTime() - start) / 1_000_000;
        List<String> patched = new ArrayList<>(Monkey.patched());
        if (httpClientsPatched) {
            patched.add("http-clients");
        }
        boolean cooperative = httpClientsPatched || Monkey.isPatched(Monkey.THREAD);
        return new FanOutResult(calls, succeeded, calls - succeeded, wall, slowest, cooperative, patched);
    }

    private static void checkMs(long ms) {
        if (ms < 0 || ms > MAX_MS) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "ms must be between 0 and " + MAX_MS + ", got " + ms);
        }
    }
}
