package dev.greenlet.spring.services;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.test.context.ActiveProfiles;

/**
 * {@link RedisServicesTests} with Jedis and its pool configured as the README recommends, against
 * Redis on 127.0.0.1:6379.
 *
 * <p>The pool's {@code max-wait} must be bounded: with commons-pool2's default (-1, wait for
 * ever), a greenlet that finds the pool at its limit while another greenlet opens a connection
 * spins in {@code GenericObjectPool.create()} instead of waiting, and a busy-wait starves a
 * hub (its greenlets are never preempted). With a bound it waits in {@code Object.wait}, which
 * gives the hub up. The bound must exceed the longest wait for a connection the application
 * accepts: here 50 pops of 1 s on 16 connections queue for about 3 s.
 */
@SpringBootTest(properties = { "spring.data.redis.client-type=jedis", "spring.data.redis.jedis.pool.enabled=true",
        "spring.data.redis.jedis.pool.max-active=16", "spring.data.redis.jedis.pool.max-wait=10s" })
@ActiveProfiles("services")
class JedisServicesTests extends RedisServicesTests {

    @Autowired
    RedisConnectionFactory connectionFactory;

    @Test
    void theClientIsJedisWithABoundedPoolWait() {
        assertThat(connectionFactory).isInstanceOf(JedisConnectionFactory.class);
        JedisConnectionFactory jedis = (JedisConnectionFactory) connectionFactory;
        assertThat(jedis.getUsePool()).isTrue();
        assertThat(jedis.getPoolConfig().getMaxWaitDuration()).isEqualTo(Duration.ofSeconds(10));
        assertThat(jedis.getPoolConfig().getMaxTotal()).isEqualTo(16);
    }
}
