package org.gridmeter.server;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.gridmeter.server.store.PostgresDatabase;
import org.gridmeter.server.store.PostgresTarget;
import org.gridmeter.server.store.SqlStore;
import org.gridmeter.server.store.SqliteDatabase;
import org.junit.jupiter.api.Assumptions;

/**
 * Which store the behaviour tests run on: SQLite unless the system property
 * {@code gridmeter.test.store} says {@code postgresql} (the Surefire execution {@code postgresql} of
 * this module and of e2e sets it). For PostgreSQL, {@code GRIDMETER_TEST_POSTGRES} names a server
 * where tests may create databases ({@code postgresql://127.0.0.1:PORT/postgres?user=postgres}; the
 * script {@code .ci/postgres.sh} starts a throwaway one and prints it); without it every PostgreSQL
 * run is skipped, saying so. Each data directory gets a database of its own, made on first use, so
 * a test that restarts a server on the same directory finds its data again.
 */
public final class TestStores {

    public static final String PROPERTY = "gridmeter.test.store";
    public static final String SERVER_VARIABLE = "GRIDMETER_TEST_POSTGRES";
    private static final Set<String> created = ConcurrentHashMap.newKeySet();

    private TestStores() {
    }

    /** Whether this run's tests use PostgreSQL. */
    public static boolean postgresql() {
        return "postgresql".equals(System.getProperty(PROPERTY, "sqlite"));
    }

    /**
     * The {@code --store} value for a server on {@code dataDir}: {@code sqlite}, or this directory's
     * PostgreSQL database (created if needed). Skips the test (aborts it, reported as skipped with the
     * reason) when PostgreSQL is asked for but none is given.
     */
    public static String storeFor(Path dataDir) {
        if (!postgresql()) {
            return "sqlite";
        }
        PostgresTarget server = server();
        String name = databaseFor(dataDir);
        if (created.add(name)) {
            try (Connection c = connect(server); Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
                    if (!rs.next()) {
                        st.execute("CREATE DATABASE " + name);
                    }
                }
            } catch (SQLException e) {
                created.remove(name);
                throw new IllegalStateException("cannot create the test database " + name + " on " + server + ": "
                        + e.getMessage(), e);
            }
        }
        return PostgresTarget.SCHEME + "://" + server.host() + ":" + server.port() + "/" + name + "?user="
                + server.user();
    }

    /** The writer's store on {@code dataDir}'s database, for tests that fill one before a server starts. */
    public static SqlStore openStore(Path dataDir) throws Exception {
        if (!postgresql()) {
            return SqlStore.open(dataDir);
        }
        var tuning = ServerConfig.Tuning.DEFAULTS;
        return SqlStore.open(new PostgresDatabase(PostgresTarget.parse(storeFor(dataDir)), null, 2), tuning.mergeAfter(),
                tuning.mergeChunk(), tuning.mergeAt(), System::nanoTime);
    }

    /**
     * Every text the store holds of its users, to check what is never stored (a token in clear): the
     * SQLite files' bytes (the database and its WAL), or the PostgreSQL users table's rows.
     */
    public static String storedUsersText(Path dataDir) throws Exception {
        if (!postgresql()) {
            StringBuilder bytes = new StringBuilder();
            for (String suffix : new String[] {"", "-wal"}) { // a commit may not have reached the main file yet
                Path file = dataDir.resolve(SqliteDatabase.FILE_NAME + suffix);
                if (Files.exists(file)) {
                    bytes.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
                }
            }
            return bytes.toString();
        }
        PostgresTarget db = PostgresTarget.parse(storeFor(dataDir));
        StringBuilder text = new StringBuilder();
        try (Connection c = connect(db); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT * FROM users")) {
            while (rs.next()) {
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    text.append(rs.getString(i)).append('\n');
                }
            }
        }
        return text.toString();
    }

    /** The readings table's partitions, by name in order (PostgreSQL), or none (SQLite has one table). */
    public static java.util.List<String> readingPartitions(Path dataDir) throws Exception {
        java.util.List<String> names = new java.util.ArrayList<>();
        if (postgresql()) {
            try (Connection c = connect(PostgresTarget.parse(storeFor(dataDir))); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT c.relname FROM pg_inherits i JOIN pg_class c "
                            + "ON c.oid = i.inhrelid WHERE i.inhparent = 'readings'::regclass ORDER BY 1")) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    private static PostgresTarget server() {
        String url = System.getenv(SERVER_VARIABLE);
        Assumptions.assumeTrue(url != null && !url.isBlank(), "PostgreSQL run skipped: " + SERVER_VARIABLE
                + " is not set. Install PostgreSQL (apt-get install -y postgresql) and run "
                + "'eval \"$(.ci/postgres.sh start)\"' first, or run bash .ci/run, which does both");
        return PostgresTarget.parse(url);
    }

    private static Connection connect(PostgresTarget target) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + target.host() + ":" + target.port() + "/"
                + target.database() + "?user=" + target.user());
    }

    /** A database name from the directory: the same directory, the same database. */
    static String databaseFor(Path dataDir) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                    dataDir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return "gm_test_" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
