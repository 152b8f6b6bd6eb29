package dev.greenlet.spring.services;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;

/** {@link JdbcServicesTests} against MariaDB on 127.0.0.1:3306 (database test, user root, no password). */
@SpringBootTest(properties = { "spring.datasource.url=jdbc:mariadb://127.0.0.1:3306/test",
        "spring.datasource.username=root", "spring.datasource.password=",
        "spring.datasource.hikari.pool-name=mariadb" })
@ActiveProfiles("services")
class MariaDbServicesTests extends JdbcServicesTests {

    @Override
    void requireServer() {
        ServicesSupport.require("MariaDB", 3306, "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd");
    }

    /** SLEEP returns 0 when it slept its whole time, 1 when it was interrupted. */
    @Override
    String sleep(String seconds) {
        return "select sleep(" + seconds + ")";
    }

    @Override
    int slept() {
        return 0;
    }

    @Override
    int running(String marker) {
        return jdbc.queryForObject("select count(*) from information_schema.processlist where id <> connection_id()"
                + " and command = 'Query' and info like ?", Integer.class, "%" + marker + "%");
    }
}
