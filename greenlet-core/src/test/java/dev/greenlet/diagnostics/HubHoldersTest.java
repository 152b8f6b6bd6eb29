package dev.greenlet.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlet.Gevent;
import dev.greenlet.Greenlet;
import dev.greenlet.HubTestSupport;
import dev.greenlet.Parked;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Who holds the hub: time, turns and longest turn per name, with bounded names. */
class HubHoldersTest extends HubTestSupport {

    private Greenlet<?> yielder(String name, int turns) {
        return new Greenlet<>(hub, name, () -> {
            for (int k = 1; k < turns; k++) {
                Gevent.sleep(0);
            }
            return null;
        });
    }

    @Test
    void countsEachNamesTurnsAndTime() throws Exception {
        try (HubHolders holders = new HubHolders(10).attach(hub)) {
            Greenlet<?> a = yielder("GET /orders/{id}", 30).start();
            Greenlet<?> b = yielder("refresh", 5).start();
            a.join();
            b.join();
            // A joiner wakes when the body ends, a moment before the engine ends its last turn.
            Parked.until("both exits counted", () -> holders.of("GET /orders/{id}").turns() == 30
                    && holders.of("refresh").turns() == 5);
            HubHolders.Holder orders = holders.of("GET /orders/{id}");
            assertThat(orders.turns()).isEqualTo(30);
            assertThat(orders.held()).isPositive();
            assertThat(orders.longestTurn()).isPositive().isLessThanOrEqualTo(orders.held());
            assertThat(holders.of("refresh").turns()).isEqualTo(5);
            assertThat(holders.top(10)).extracting(HubHolders.Holder::name).contains("GET /orders/{id}", "refresh");
            assertThat(holders.top(1)).hasSize(1);
        }
    }

    @Test
    void namesBeyondTheCapCountAsOtherAndDefaultNamesAsUnnamed() throws Exception {
        try (HubHolders holders = new HubHolders(2).attach(hub)) {
            for (String name : new String[] {"one", "two", "three", "four"}) {
                yielder(name, 2).start().join();
            }
            new Greenlet<>(hub, null, () -> null).start().join();
            new Greenlet<>(hub, null, () -> null).start().join();
            Parked.until("every exit counted", () -> holders.of(HubHolders.UNNAMED).turns() == 2
                    && holders.of(HubHolders.OTHER).turns() == 4);
            assertThat(holders.names()).containsExactlyInAnyOrder("one", "two", HubHolders.OTHER, HubHolders.UNNAMED);
            assertThat(holders.of(HubHolders.OTHER).turns()).isEqualTo(4);
            assertThat(holders.of(HubHolders.UNNAMED).turns()).isEqualTo(2);
        }
    }

    @Test
    void theWindowIsTheLastMinute() {
        long[] now = {0};
        HubHolders holders = new HubHolders(5, () -> now[0]);
        holders.add("old", 0, 1_000_000);
        now[0] = Duration.ofSeconds(30).toNanos();
        assertThat(holders.of("old").turns()).isEqualTo(1);
        now[0] = Duration.ofSeconds(61).toNanos();
        assertThat(holders.of("old").turns()).as("a minute later").isZero();
    }
}
