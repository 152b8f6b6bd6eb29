package dev.greenlet.spring.services;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;

/** {@link JdbcServicesTests} against PostgreSQL on 127.0.0.1:5432 (database test, user postgres). */
@SpringBootTest(properties = "spring.datasource.hikari.pool-name=postgres")
@ActiveProfiles("services")
class PostgresServicesTests extends JdbcServicesTests {

    @Override
    void requireServer() {
        ServicesSupport.require("PostgreSQL", 5432,
                "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start");
    }

    @Override
    String sleep(String seconds) {
        return "select 1 from pg_sleep(" + seconds + ")";
    }

    @Override
    int slept() {
        return 1;
    }

    @Override
    int running(String marker) {
        return jdbc.queryForObject("select count(*) from pg_stat_activity where pid <> pg_backend_pid()"
                + " and state = 'active' and query like ?", Integer.class, "%" + marker + "%");
    }
}
