package dev.greenlet.gevent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlet.HubTestSupport;
import dev.greenlet.pool.MapIterator;
import dev.greenlet.pool.Pool;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/**
 * gevent's {@code src/gevent/tests/test__pool.py}, class {@code TestErrorInHandler}, at tag
 * 22.10.2: a failed item is raised where the iteration reaches it, and {@code imap} goes on
 * past it. Python's {@code 1.0 / 0} becomes an {@link ArithmeticException} from integer division.
 */
class ErrorInHandlerTest extends HubTestSupport {

    /** A gevent port: its sleeps and timeouts run in virtual time, so its order holds under any load. */
    @Override
    protected boolean onVirtualTime() {
        return true;
    }

    /** gevent's {@code divide_by}: {@code 1.0 / x}, which fails for 0 as Python's does. */
    private static double divideBy(int x) {
        return 1.0 / (x / x * x); // 0 / 0 throws ArithmeticException; otherwise 1.0 / x
    }

    /** {@code test_map}. */
    @Test
    void map() {
        inHub(() -> {
            Pool p = new Pool(3);
            assertThatThrownBy(() -> p.map(ErrorInHandlerTest::divideBy, List.of(1, 0, 2)))
                    .isInstanceOf(ArithmeticException.class);
        });
        oneDivisionByZeroReported();
    }

    /** {@code test_imap}. */
    @Test
    void imap() {
        inHub(() -> goesOnPastTheFailure(new Pool(1).imap(ErrorInHandlerTest::divideBy, List.of(1, 0, 2))));
        oneDivisionByZeroReported();
    }

    /** {@code test_imap_unordered}. */
    @Test
    void imapUnordered() {
        inHub(() -> goesOnPastTheFailure(new Pool(1).imapUnordered(ErrorInHandlerTest::divideBy, List.of(1, 0, 2))));
        oneDivisionByZeroReported();
    }

    /** The iteration over 1/1, 1/0, 1/2 raises the failed item where it stands and goes on past it. */
    private static void goesOnPastTheFailure(MapIterator<Double> it) {
        assertThat(it.next()).isEqualTo(1.0);
        assertThatThrownBy(it::next).isInstanceOf(ArithmeticException.class);
        assertThat(it.next()).isEqualTo(0.5);
        assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
    }

    /** The one failed greenlet, 1/0, was reported through the hub's error handler, with its own exception. */
    private void oneDivisionByZeroReported() {
        assertThat(expectReported()).singleElement().isInstanceOf(ArithmeticException.class);
        assertThat(reportedGreenlets).singleElement().satisfies(g -> assertThat(g.exception()).isSameAs(reported.get(0)));
    }
}
