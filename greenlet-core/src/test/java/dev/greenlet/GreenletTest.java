package dev.greenlet;

import static dev.greenlet.Gevent.iwait;
import static dev.greenlet.Gevent.joinall;
import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The greenlet handle: results, errors (invariant 5), links, waiting, futures, bad input. */
class GreenletTest extends HubTestSupport {

    @Test
    void getReturnsTheValue() {
        assertThat(hub.run(() -> spawn(() -> 42).get())).isEqualTo(42);
    }

    @Test
    void getRethrowsUncheckedExceptionsAsTheyAre() {
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        inHub(() -> {
            Greenlet<Object> g = spawn(() -> {
                throw boom;
            });
            assertThatThrownBy(g::get).isSameAs(boom);
            assertThat(g.exception()).isSameAs(boom);
            assertThat(g.isSuccessful()).isFalse();
            assertThat(g.value()).isNull();
        });
        assertThat(expectReported()).containsExactly(boom);
    }

    @Test
    void getWrapsCheckedExceptionsWithTheOriginalAsCause() {
        IOException io = new IOException("disk");
        inHub(() -> {
            Greenlet<Object> g = spawn(() -> {
                throw io;
            });
            assertThatThrownBy(g::get).isInstanceOf(CompletionException.class).hasCause(io);
        });
        assertThat(expectReported()).containsExactly(io);
    }

    /** Invariant 5: every failure is stored and reported once, with its greenlet, even if nobody asks. */
    @Test
    void failuresAreReportedEvenIfNeverRetrieved() throws Exception {
        RuntimeException lost = new RuntimeException("nobody joins me");
        Greenlet<Object> g = hub.spawn(() -> {
            throw lost;
        });
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LONG_MS);
        while (expectReported().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(reported).containsExactly(lost);
        assertThat(reportedGreenlets).containsExactly(g);
    }

    /** The default handler logs gevent's "<greenlet> failed with <exception>" line with the stack. */
    @Test
    void defaultErrorHandlerLogsTheGreenletAndTheException() throws Exception {
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger(Hub.class.getName());
        List<java.util.logging.LogRecord> records = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(capture);
        try (Hub logging = new Hub("logging")) {
            Greenlet<Object> g = new Greenlet<>(logging, "worker-7", () -> {
                throw new IllegalStateException("bad state");
            });
            g.start().join();
            assertThat(records).hasSize(1);
            assertThat(records.get(0).getMessage()).contains("worker-7").contains("#" + g.id())
                    .contains("failed with java.lang.IllegalStateException: bad state");
            assertThat(records.get(0).getThrown()).isSameAs(g.exception());
        } finally {
            jul.removeHandler(capture);
        }
    }

    @Test
    void linksFireInOrderWithTheDeadGreenlet() {
        inHub(() -> {
            Greenlet<String> ok = spawn(() -> "fine");
            Greenlet<String> bad = spawn(() -> {
                throw new IllegalStateException("bad");
            });
            for (Greenlet<String> g : List.of(ok, bad)) {
                g.link(d -> log("link " + d.name().equals(ok.name())));
                g.linkValue(d -> log("value " + d.value()));
                g.linkException(d -> log("exception " + d.exception().getMessage()));
            }
            joinall(List.of(ok, bad));
        });
        assertThat(events).containsExactly("link true", "value fine", "link false", "exception bad");
        assertThat(expectReported()).singleElement().satisfies(e -> assertThat(e).hasMessage("bad"));
    }

    @Test
    void unlinkedCallbackDoesNotFire() {
        inHub(() -> {
            Greenlet<String> g = spawn(() -> "x");
            java.util.function.Consumer<Greenlet<String>> cb = d -> log("fired");
            g.link(cb);
            g.unlink(cb);
            g.join();
        });
        assertThat(events).isEmpty();
    }

    @Test
    void linkOnADeadGreenletRunsSoonInItsHub() {
        inHub(() -> {
            Greenlet<String> g = spawn(() -> "x");
            g.join();
            g.link(d -> log("late link in a greenlet: " + (Greenlet.current() != null)));
            sleep(0);
        });
        assertThat(events).containsExactly("late link in a greenlet: true");
    }

    @Test
    void joinWithTimeoutSaysWhetherItFinished() {
        inHub(() -> {
            Greenlet<Void> slow = spawn(() -> sleep(LONG_MS));
            assertThat(slow.join(Duration.ofMillis(1))).isFalse();
            slow.kill();
            assertThat(slow.join(Duration.ZERO)).isTrue();
        });
    }

    @Test
    void joinallReturnsGreenletsInTheOrderTheyFinished() {
        inHub(() -> {
            Greenlet<Integer> slow = spawn(() -> {
                sleep(20);
                return 1;
            });
            Greenlet<Integer> fast = spawn(() -> 2);
            Greenlet<Integer> medium = spawn(() -> {
                sleep(5);
                return 3;
            });
            assertThat(joinall(List.of(slow, fast, medium))).containsExactly(fast, medium, slow);
        });
    }

    @Test
    void joinallWithTimeoutReturnsOnlyTheFinished() {
        inHub(() -> {
            Greenlet<Void> fast = spawn(() -> sleep(1));
            Greenlet<Void> slow = spawn(() -> sleep(LONG_MS));
            assertThat(joinall(List.of(fast, slow), Duration.ofMillis(SHORT_MS), false)).containsExactly(fast);
            slow.kill();
        });
    }

    @Test
    void joinallWithRaiseErrorRethrowsTheFirstFailure() {
        IllegalStateException first = new IllegalStateException("first");
        inHub(() -> {
            Greenlet<Object> failing = spawn(() -> {
                throw first;
            });
            Greenlet<Void> slow = spawn(() -> sleep(LONG_MS));
            assertThatThrownBy(() -> joinall(List.of(slow, failing), null, true)).isSameAs(first);
            slow.kill();
        });
        assertThat(expectReported()).containsExactly(first);
    }

    @Test
    void iwaitYieldsAsGreenletsFinishAndStopsAtCount() {
        inHub(() -> {
            List<Greenlet<Integer>> gs = new ArrayList<>();
            for (int ms : new int[] {30, 10, 20}) {
                gs.add(spawn(() -> {
                    sleep(ms);
                    return ms;
                }));
            }
            List<Integer> seen = new ArrayList<>();
            try (WaitIterator<Greenlet<Integer>> it = iwait(gs, null, 2)) {
                it.forEachRemaining(g -> seen.add(g.get()));
            }
            assertThat(seen).containsExactly(10, 20);
            assertThat(Gevent.wait(gs)).hasSize(3);
        });
    }

    @Test
    void greenletConvertsToACompletableFuture() throws Exception {
        Greenlet<String> g = hub.spawn(() -> {
            sleep(1);
            return "done";
        });
        assertThat(g.toCompletableFuture().get(LONG_MS, TimeUnit.MILLISECONDS)).isEqualTo("done");

        Greenlet<Void> sleeper = hub.spawn(() -> sleep(LONG_MS));
        CompletableFuture<Void> f = sleeper.toCompletableFuture();
        assertThat(f.cancel(true)).isTrue();
        assertThat(sleeper.join(Duration.ofMillis(LONG_MS))).as("cancelling the future kills the greenlet").isTrue();
    }

    @Test
    void greenletWaitsCooperativelyOnAFuture() {
        CompletableFuture<String> f = new CompletableFuture<>();
        inHub(() -> {
            Greenlet<String> fromFuture = Greenlet.fromFuture(f);
            Greenlet<Void> completer = spawn(() -> {
                log("other greenlets run while one awaits the future");
                f.complete("value");
            });
            assertThat(fromFuture.get()).isEqualTo("value");
            completer.join();
        });
        assertThat(events).containsExactly("other greenlets run while one awaits the future");
    }

    @Test
    void badInputGetsClearErrors() {
        inHub(() -> {
            Greenlet<?> self = Greenlet.current();
            assertThatThrownBy(self::join).isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot join itself");
            assertThatThrownBy(() -> sleep(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must not be negative");
            assertThatThrownBy(() -> sleep(-5)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Gevent.spawnLater(Duration.ofSeconds(-1), () -> { }))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> spawn((Runnable) null)).isInstanceOf(NullPointerException.class);
        });
    }

    @Test
    void spawningOnAClosedHubIsAClearError() {
        Hub closed = new Hub("closing");
        closed.close();
        assertThatThrownBy(() -> closed.spawn(() -> { })).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("hub 'closing' is closed");
    }

    @Test
    void closingAHubKillsItsGreenletsAndReportsThem() {
        Hub closing = new Hub("closing");
        Greenlet<Void> a = closing.spawn(() -> sleep(LONG_MS));
        Greenlet<Void> b = closing.spawn(() -> sleep(LONG_MS));
        Greenlet<Integer> done = closing.spawn(() -> 1);
        done.join();
        List<Greenlet<?>> killed = closing.shutdown(Duration.ZERO);
        assertThat(killed).containsExactlyInAnyOrder(a, b);
        assertThat(a.isDead() && b.isDead()).isTrue();
        assertThat(closing.liveCount()).isZero();
    }

    @Test
    void shutdownWaitsForGreenletsThatFinishInTime() {
        Hub closing = new Hub("graceful");
        Greenlet<Integer> quick = closing.spawn(() -> {
            sleep(SHORT_MS);
            return 1;
        });
        Greenlet<Void> stuck = closing.spawn(() -> sleep(LONG_MS * 10));
        List<Greenlet<?>> killed = closing.shutdown(Duration.ofMillis(MEDIUM_MS));
        assertThat(killed).containsExactly(stuck);
        assertThat(quick.get()).isEqualTo(1);
    }

    @Test
    void hasTheStateTheClassCommentDescribes() {
        Greenlet<String> g = new Greenlet<>(hub, null, () -> {
            sleep(SHORT_MS);
            return "v";
        });
        assertThat(g.isStarted()).isFalse();
        assertThat(g.toString()).contains("new");
        g.start();
        assertThat(g.isStarted()).isTrue();
        assertThat(g.isDead()).isFalse();
        assertThat(g.get()).isEqualTo("v");
        assertThat(g.isDead() && g.isDone() && g.isSuccessful()).isTrue();
        assertThat(g.name()).isEqualTo("Greenlet-" + g.id());
        assertThat(g.hub()).isSameAs(hub);
    }

    @Test
    void cancellationExceptionForKilledGreenletFromPlainThread() {
        Greenlet<Void> g = hub.spawn(() -> sleep(LONG_MS));
        g.kill();
        assertThatThrownBy(g::get).isInstanceOf(CancellationException.class);
    }

    /** A greenlet made completed(...) is dead from the start: its links run, wait and iwait return it. */
    @Test
    void aCompletedGreenletRunsItsLinksAndCanBeWaitedFor() throws Exception {
        inHub(() -> {
            Greenlet<String> done = Greenlet.completed("v");
            List<String> linked = new ArrayList<>();
            done.link(g -> linked.add("link " + g.value()));
            assertThat(done.toCompletableFuture().getNow(null)).isEqualTo("v");
            assertThat(Gevent.wait(List.of(done), Duration.ofSeconds(5), 1)).containsExactly(done);
            sleep(0); // the link runs in a greenlet of the hub
            assertThat(linked).containsExactly("link v");
        });
    }

    /** A greenlet's thread has the context class loader of the thread that created its hub. */
    @Test
    void greenletsRunWithTheHubCreatorsContextClassLoader() throws Exception {
        ClassLoader custom = new ClassLoader(getClass().getClassLoader()) { };
        Thread self = Thread.currentThread();
        ClassLoader before = self.getContextClassLoader();
        Hub own;
        self.setContextClassLoader(custom);
        try {
            own = new Hub("class-loader", hub.engine());
        } finally {
            self.setContextClassLoader(before);
        }
        try {
            assertThat(own.run(() -> Thread.currentThread().getContextClassLoader())).isSameAs(custom);
        } finally {
            own.close();
        }
    }

    /**
     * A dead greenlet's handle does not keep its thread: results are often kept (a list of
     * greenlets to join), and the thread would hold its continuation and stack (HubEngine.exit).
     * On the carrier engine the thread's scheduler used to keep the JDK's task for the thread,
     * which holds the thread, for as long as the handle lived.
     */
    @Test
    void aDeadGreenletsHandleDoesNotKeepItsThread() throws Exception {
        Greenlet<java.lang.ref.WeakReference<Thread>> g =
                hub.run(() -> spawn(() -> new java.lang.ref.WeakReference<>(Thread.currentThread())));
        java.lang.ref.WeakReference<Thread> thread = g.get();
        for (int i = 0; i < 100 && thread.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertThat(thread.get()).as("the thread of a dead greenlet whose handle is kept, after 100 collections").isNull();
        assertThat(g.isDead()).isTrue(); // the handle stays reachable until here
    }
}
