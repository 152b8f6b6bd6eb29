package dev.greenlet.spring.services;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.test.context.ActiveProfiles;

/** {@link RedisServicesTests} with Boot's default client, Lettuce, against Redis on 127.0.0.1:6379. */
@SpringBootTest
@ActiveProfiles("services")
class LettuceServicesTests extends RedisServicesTests {

    @Autowired
    RedisConnectionFactory connectionFactory;

    @Test
    void theClientIsBootsDefaultLettuce() {
        assertThat(connectionFactory).isInstanceOf(LettuceConnectionFactory.class);
    }
}
