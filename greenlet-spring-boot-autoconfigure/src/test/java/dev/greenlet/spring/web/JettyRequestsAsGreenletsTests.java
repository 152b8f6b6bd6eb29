package dev.greenlet.spring.web;

import org.springframework.boot.test.context.SpringBootTest;

/** {@link RequestsAsGreenletsTests} on Jetty. */
@SpringBootTest(classes = WebApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { RequestsAsGreenletsTests.PATCH_ALL, RequestsAsGreenletsTests.WEB,
                "spring.autoconfigure.exclude=" + RequestsAsGreenletsTests.TOMCAT_AUTO_CONFIGURATION })
class JettyRequestsAsGreenletsTests extends RequestsAsGreenletsTests {

    @Override
    String server() {
        return "Jetty";
    }
}
