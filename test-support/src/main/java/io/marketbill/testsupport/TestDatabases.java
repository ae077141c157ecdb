package io.marketbill.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Real PostgreSQL for tests: the server at {@code PG_URL} (with {@code PG_USER}/{@code PG_PASSWORD}) when
 * set, otherwise one zonky embedded server per JVM. Each call gives a fresh database on it, so tests never
 * see each other's rows.
 */
public final class TestDatabases {

    /** Where a fresh database lives. */
    public record Database(String jdbcUrl, String user, String password) {
    }

    private static EmbeddedPostgres embedded;

    private TestDatabases() {
    }

    public static synchronized Database fresh() {
        String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        String serverUrl = setting("PG_URL");
        String user = setting("PG_USER");
        String password = setting("PG_PASSWORD");
        String adminUrl;
        if (serverUrl != null) {
            adminUrl = serverUrl;
        } else {
            adminUrl = embedded().getJdbcUrl("postgres", "postgres");
            user = "postgres";
            password = "postgres";
        }
        try (Connection c = DriverManager.getConnection(adminUrl, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database on " + adminUrl + ": " + e.getMessage(), e);
        }
        return new Database(replaceDatabase(adminUrl, name), user, password);
    }

    static String replaceDatabase(String jdbcUrl, String database) {
        int q = jdbcUrl.indexOf('?');
        String base = q < 0 ? jdbcUrl : jdbcUrl.substring(0, q);
        String params = q < 0 ? "" : jdbcUrl.substring(q);
        int slash = base.lastIndexOf('/');
        return base.substring(0, slash + 1) + database + params;
    }

    private static EmbeddedPostgres embedded() {
        if (embedded == null) {
            try {
                embedded = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    embedded.close();
                } catch (IOException ignored) {
                    // the JVM is going away
                }
            }));
        }
        return embedded;
    }

    private static String setting(String name) {
        String v = System.getProperty(name, System.getenv(name));
        return v == null || v.isBlank() ? null : v;
    }
}
