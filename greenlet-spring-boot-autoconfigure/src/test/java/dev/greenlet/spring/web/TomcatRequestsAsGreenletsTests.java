package dev.greenlet.spring.web;

import org.springframework.boot.test.context.SpringBootTest;

/** {@link RequestsAsGreenletsTests} on Tomcat, Boot's default server. */
@SpringBootTest(classes = WebApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { RequestsAsGreenletsTests.PATCH_ALL, RequestsAsGreenletsTests.WEB,
                "spring.autoconfigure.exclude=" + RequestsAsGreenletsTests.JETTY_AUTO_CONFIGURATION })
class TomcatRequestsAsGreenletsTests extends RequestsAsGreenletsTests {

    @Override
    String server() {
        return "Tomcat";
    }
}
