package org.gridmeter.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL store ({@code --store postgresql://...}). One write connection with
 * {@code synchronous_commit=on}, so a commit returns once PostgreSQL's WAL is on disk: "durable"
 * means what it says, and PostgreSQL's own crash safety does the rest. It holds a session advisory
 * lock, so a second server pointed at the same database refuses to start instead of writing beside
 * the first. Readers come from a HikariCP pool, read-only, in {@code REPEATABLE READ} so that a read
 * transaction sees one snapshot, as SQLite's do.
 *
 * <p>The readings table is partitioned by month of {@code ts} (UTC): a partition
 * {@code readings_YYYYMM} is made, in the writer's transaction, when a reading first needs it, and
 * retention drops the months that hold only readings it no longer keeps.
 */
public final class PostgresDatabase implements Database {

    private static final Logger log = LoggerFactory.getLogger(PostgresDatabase.class);
    /** Any fixed number: the advisory lock that says "a GridMeter writer holds this database". */
    private static final long WRITER_LOCK = 0x47_52_49_44_4D_45_54L; // "GRIDMET"
    private static final Pattern PARTITION = Pattern.compile("readings_(\\d{4})(\\d{2})$");

    private final PostgresTarget target;
    private final String password;
    private final int readerConnections;
    private final ReaderPool readers = new ReaderPool();
    /** The readings partitions known to exist: start -> end (epoch ms). Writer thread only. */
    private final TreeMap<Long, Long> partitions = new TreeMap<>();
    /** The partition the last reading fell in: most readings of a merge fall in the same one. */
    private long hitFrom = 1;
    private long hitTo = 0;

    /** Any fixed number: held while the schema is migrated, so nodes starting together migrate once. */
    private static final long MIGRATION_LOCK = WRITER_LOCK + 1;
    /** A node of a cluster: its writer shares the database with other nodes' (docs/scaling.md). */
    private final boolean clustered;

    /** @param password {@code null} if the server needs none (trust, peer) */
    public PostgresDatabase(PostgresTarget target, String password, int readerConnections) {
        this(target, password, readerConnections, false);
    }

    /**
     * @param clustered a node of a cluster: the writer lock is shared with the other nodes (a lone
     *     server, which takes it alone, cannot start beside them, nor they beside it)
     */
    public PostgresDatabase(PostgresTarget target, String password, int readerConnections, boolean clustered) {
        this.clustered = clustered;
        this.target = target;
        this.password = password;
        this.readerConnections = readerConnections;
    }

    @Override
    public String describe() {
        return "PostgreSQL " + target;
    }

    /** A connection of its own, in autocommit, named {@code application} in pg_stat_activity (the lease keeper's). */
    public Connection openSide(String application) throws SQLException {
        return connect(application, new Properties());
    }

    private Connection connect(String application, Properties props) throws SQLException {
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("ApplicationName", application);
        return DriverManager.getConnection(target.jdbcUrl(), props);
    }

    /** Brings the schema up to date on a connection of its own (a cluster node does it before it joins). */
    public void prepareSchema() throws SQLException {
        try (Connection c = openSide("gridmeter-migrations")) {
            migrate(c);
        }
    }

    private static void migrate(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")");
        }
        try {
            Migrations.migrate(c, PostgresSchema.SCHEMA);
        } finally {
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")");
            }
        }
    }

    @Override
    public Connection openWriter() throws SQLException {
        Properties batched = new Properties();
        batched.setProperty("reWriteBatchedInserts", "true"); // one multi-row INSERT per batch: measured ~3x
        Connection c = connect("gridmeter-writer", batched);
        try {
            try (Statement st = c.createStatement()) {
                st.execute("SET synchronous_commit TO on");
                String lock = clustered ? "pg_try_advisory_lock_shared" : "pg_try_advisory_lock";
                try (ResultSet rs = st.executeQuery("SELECT " + lock + "(" + WRITER_LOCK + ")")) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        throw clustered ? new StoreInUseException("a GridMeter server without --node-id is writing to "
                                + target + ": stop it before starting cluster nodes on this database")
                                : new StoreInUseException(target.toString(), "a database");
                    }
                }
            }
            migrate(c);
            c.setAutoCommit(false);
            loadPartitions(c);
            try (Statement st = c.createStatement()) {
                st.execute(CopyReadingRows.STAGE); // the session's own: COPY fills it, merges empty it
            }
            c.commit();
            readers.startOnce(this::readerPool);
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private HikariDataSource readerPool() {
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("gridmeter-postgresql-readers");
        pool.setJdbcUrl(target.jdbcUrl());
        if (password != null) {
            pool.setPassword(password);
        }
        pool.addDataSourceProperty("ApplicationName", "gridmeter-reader");
        pool.setReadOnly(true);
        pool.setTransactionIsolation("TRANSACTION_REPEATABLE_READ");
        pool.setMaximumPoolSize(readerConnections);
        pool.setMinimumIdle(1);
        return new HikariDataSource(pool);
    }

    @Override
    public Connection reader() throws SQLException {
        return readers.connection();
    }

    @Override
    public ReadingRows readingRows(Connection writer) throws SQLException {
        return new CopyReadingRows(writer);
    }

    @Override
    public String least(String a, String b) {
        return "least(" + a + ", " + b + ")";
    }

    @Override
    public void coverReading(Connection writer, long ts) throws SQLException {
        if (ts >= hitFrom && ts < hitTo) {
            return;
        }
        Map.Entry<Long, Long> known = partitions.floorEntry(ts);
        if (known == null || ts >= known.getValue()) {
            YearMonth month = YearMonth.from(Instant.ofEpochMilli(ts).atOffset(ZoneOffset.UTC));
            long from = startOf(month);
            long to = startOf(month.plusMonths(1));
            try (Statement st = writer.createStatement()) {
                // nodes of a cluster may need the same month at once: one creates it, the others wait and see it
                st.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
                st.execute("CREATE TABLE IF NOT EXISTS " + partitionName(month) + " PARTITION OF readings FOR VALUES FROM ("
                        + from + ") TO (" + to + ")");
            }
            log.info("event=readings_partition_created month={}", month);
            partitions.put(from, to);
            known = partitions.floorEntry(ts);
        }
        hitFrom = known.getKey();
        hitTo = known.getValue();
    }

    @Override
    public int dropReadingsBefore(Connection writer, long millis) throws SQLException {
        int dropped = 0;
        for (Map.Entry<Long, Long> p : new TreeMap<>(partitions.headMap(millis)).entrySet()) {
            if (p.getValue() > millis) {
                continue; // it also holds readings still kept: row deletions trim it
            }
            YearMonth month = YearMonth.from(Instant.ofEpochMilli(p.getKey()).atOffset(ZoneOffset.UTC));
            try (Statement st = writer.createStatement()) {
                st.execute("DROP TABLE IF EXISTS " + partitionName(month));
            }
            partitions.remove(p.getKey());
            dropped++;
        }
        hitFrom = 1;
        hitTo = 0;
        return dropped;
    }

    @Override
    public void rolledBack(Connection writer) throws SQLException {
        loadPartitions(writer); // a partition made or dropped in the rolled-back transaction is undone too
    }

    private void loadPartitions(Connection writer) throws SQLException {
        partitions.clear();
        hitFrom = 1;
        hitTo = 0;
        try (Statement st = writer.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                        + "WHERE i.inhparent = 'readings'::regclass")) {
            while (rs.next()) {
                Matcher m = PARTITION.matcher(rs.getString(1));
                if (m.find()) {
                    YearMonth month = YearMonth.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
                    partitions.put(startOf(month), startOf(month.plusMonths(1)));
                }
            }
        }
    }

    /** The first instant of the UTC month, epoch ms: where its partition starts. */
    private static long startOf(YearMonth month) {
        return month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    private static String partitionName(YearMonth month) {
        return String.format("readings_%04d%02d", month.getYear(), month.getMonthValue());
    }

    @Override
    public void close() {
        readers.close();
    }
}
