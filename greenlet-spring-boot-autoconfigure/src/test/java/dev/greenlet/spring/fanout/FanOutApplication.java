package dev.greenlet.spring.fanout;

import dev.greenlet.spring.Greenlet;
import java.util.concurrent.CompletableFuture;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * A small web application that calls its own slow endpoint from @Greenlet methods. It has no
 * database and no Redis: the services tests put JDBC and Redis on the test class path, and
 * Boot would configure them here too.
 */
@SpringBootApplication(exclude = { DataSourceAutoConfiguration.class, DataRedisAutoConfiguration.class })
public class FanOutApplication {

    @RestController
    static class SlowController {
        @GetMapping("/slow")
        String slow(@RequestParam long ms) throws InterruptedException {
            Thread.sleep(ms); // a Tomcat worker thread, not a greenlet
            return "ok";
        }
    }

    @Service
    public static class Caller {
        private final RestClient client;

        Caller(RestClient.Builder builder) {
            this.client = builder.build();
        }

        @Greenlet
        public CompletableFuture<String> call(String url) {
            return CompletableFuture.completedFuture(client.get().uri(url).retrieve().body(String.class));
        }

    }
}
