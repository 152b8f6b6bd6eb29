package dev.greenlet;

import static dev.greenlet.Gevent.joinall;
import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The gevent tutorial's examples 1 and 2 (see the README and sample-app's examples), written as a Java user would. */
class SeedExamplesTest {

    /** Example 1: explicit context switches. */
    static final class Ex1 {
        final Consumer<String> print;

        Ex1(Consumer<String> print) {
            this.print = print;
        }

        void foo() {
            print.accept("Running in foo");
            sleep(0);
            print.accept("Explicit context switch to foo again");
        }

        void bar() {
            print.accept("Explicit context to bar");
            sleep(0);
            print.accept("Implicit context switch back to bar");
        }

        void main() {
            Gevent.run(() -> joinall(List.of(spawn(this::foo), spawn(this::bar))));
        }
    }

    /** Example 2: synchronous vs asynchronous. */
    static final class Ex2 {
        final Consumer<String> print;
        final Random random = new Random();

        Ex2(Consumer<String> print) {
            this.print = print;
        }

        void task(int pid) {
            sleep(random.nextInt(3)); // random.randint(0, 2) * 0.001 seconds
            print.accept("Task " + pid + " done");
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

        void main() {
            Gevent.run(() -> {
                print.accept("Synchronous:");
                synchronous();
                print.accept("Asynchronous:");
                asynchronous();
            });
        }
    }

    @RepeatedTest(20)
    void example1PrintsGeventsFourLinesInGeventsOrder() {
        List<String> out = new ArrayList<>();
        new Ex1(out::add).main();
        assertThat(out).containsExactly(
                "Running in foo",
                "Explicit context to bar",
                "Explicit context switch to foo again",
                "Implicit context switch back to bar");
    }

    @RepeatedTest(5)
    void example2RunsEveryTaskOnce() {
        List<String> out = java.util.Collections.synchronizedList(new ArrayList<>());
        new Ex2(out::add).main();
        assertThat(out.subList(0, 10)).containsExactly("Synchronous:", "Task 1 done", "Task 2 done", "Task 3 done",
                "Task 4 done", "Task 5 done", "Task 6 done", "Task 7 done", "Task 8 done", "Task 9 done");
        assertThat(out.get(10)).isEqualTo("Asynchronous:");
        assertThat(out.subList(11, out.size())).containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, 10).mapToObj(i -> "Task " + i + " done").toList());
    }

    /**
     * With sleeps of 0, 1 or 2 ms the asynchronous order is not the spawn order, but within each
     * sleep length it is: {@code sleep(0)} goes behind the ready greenlets in FIFO order, and
     * timers of equal length fire in deadline order, that is, in the order they were started.
     * (How the groups interleave depends on the clock: a timer that comes due while the first
     * greenlets still run appends its greenlet then, so no order across groups is asserted.)
     */
    @RepeatedTest(10)
    void example2AsynchronousOrderFollowsTheRandomSleeps() {
        List<Integer> done = java.util.Collections.synchronizedList(new ArrayList<>());
        int[] sleeps = {2, 0, 1, 0, 2, 1, 0, 2, 1, 0};
        Gevent.run(() -> joinall(IntStream.range(0, 10).mapToObj(i -> spawn(() -> {
            sleep(sleeps[i]);
            done.add(i);
        })).toList()));
        assertThat(done).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        for (int ms = 0; ms <= 2; ms++) {
            int length = ms;
            List<Integer> group = done.stream().filter(i -> sleeps[i] == length).toList();
            assertThat(group).as("tasks sleeping %d ms finish in spawn order", ms).isSorted();
        }
    }
}
