package dev.greenlet.monkey;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Socket;
import java.net.SocketImplFactory;
import org.junit.jupiter.api.Test;

/** In a JVM of its own: another library installed a socket factory first. */
class ForeignFactoryTest {

    static final class SomeonesFactory implements SocketImplFactory {
        @Override
        public java.net.SocketImpl createSocketImpl() {
            throw new UnsupportedOperationException("never used");
        }
    }

    @Test
    @SuppressWarnings("deprecation")
    void patchSocketNamesTheForeignFactory() throws Exception {
        Socket.setSocketImplFactory(new SomeonesFactory());
        assertThatThrownBy(Monkey::patchSocket).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(SomeonesFactory.class.getName())
                .hasMessageContaining("one per JVM");
        assertThatThrownBy(Monkey::patchSocket).as("still refused, and still not marked patched")
                .isInstanceOf(IllegalStateException.class);
    }
}
