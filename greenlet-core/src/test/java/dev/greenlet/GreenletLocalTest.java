package dev.greenlet;

import static dev.greenlet.Gevent.joinall;
import static dev.greenlet.Gevent.sleep;
import static dev.greenlet.Gevent.spawn;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** GreenletLocal: one value per greenlet, not inherited by spawned greenlets; per thread elsewhere. */
class GreenletLocalTest extends HubTestSupport {

    static final GreenletLocal<String> ID = GreenletLocal.withInitial(() -> "initial");

    @Test
    void eachGreenletHasItsOwnValueAcrossSwitches() {
        inHub(() -> {
            Greenlet<String> a = spawn(() -> {
                ID.set("a");
                sleep(0);
                return ID.get();
            });
            Greenlet<String> b = spawn(() -> {
                ID.set("b");
                sleep(0);
                return ID.get();
            });
            joinall(List.of(a, b));
            assertThat(a.get()).isEqualTo("a");
            assertThat(b.get()).isEqualTo("b");
        });
    }

    @Test
    void spawnedGreenletDoesNotSeeItsSpawnersValue() {
        inHub(() -> {
            ID.set("spawner");
            assertThat(spawn(() -> ID.get()).get()).isEqualTo("initial");
            assertThat(ID.get()).isEqualTo("spawner");
            ID.remove();
            assertThat(ID.get()).isEqualTo("initial");
        });
    }

    @Test
    void plainThreadsHaveTheirOwnValue() throws Exception {
        ID.set("main");
        String[] seen = new String[1];
        Thread t = Thread.ofPlatform().start(() -> seen[0] = ID.get());
        t.join();
        assertThat(seen[0]).isEqualTo("initial");
        assertThat(ID.get()).isEqualTo("main");
        ID.remove();
    }
}
