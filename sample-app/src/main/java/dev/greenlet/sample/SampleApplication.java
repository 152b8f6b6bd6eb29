package dev.greenlet.sample;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The sample application. By default a web application whose requests run as greenlets on the
 * carrier engine (the examples at {@code /examples/{n}}, {@code /slow}, {@code /fanout},
 * Actuator); with {@code --demo}, it runs the gevent tutorial's
 * four examples in order, prints their output, and exits.
 */
@SpringBootApplication
public class SampleApplication {

    public static void main(String[] args) {
        if (Arrays.asList(args).contains("--demo")) {
            System.exit(demo(args));
        }
        SpringApplication.run(SampleApplication.class, args);
    }

    /**
     * Runs the examples without a web server and without the start-up monkey patch, so that
     * example 4 shows a JVM before and after {@code Monkey.patchSocket()}; quiet, so the output
     * is the examples' alone.
     */
    static int demo(String[] args) {
        List<String> demoArgs = new ArrayList<>(Arrays.asList(args));
        demoArgs.addAll(List.of("--spring.main.web-application-type=none", "--spring.main.banner-mode=off",
                "--logging.level.root=WARN", "--greenlet.monkey.patch-all=false", "--greenlet.web.enabled=false",
                "--greenlet.monkey.patch-socket=false",
                "--greenlet.monkey.patch-http-clients=false", "--greenlet.monitor.enabled=false"));
        try (ConfigurableApplicationContext context = SpringApplication.run(SampleApplication.class,
                demoArgs.toArray(String[]::new))) {
            context.getBean(Examples.class).runAll(System.out);
            return 0;
        } catch (Exception e) {
            e.printStackTrace();
            return 1;
        }
    }
}
