package org.gridmeter.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;

/**
 * The embedded store: one SQLite file, {@code <data-dir>/gridmeter.db}, in WAL mode with
 * {@code synchronous=NORMAL}, which keeps every committed transaction across a crash of the process
 * ({@code kill -9}); an operating-system crash or power loss can lose the last ones. Readers use
 * their own read-only connections beside the writer (WAL lets them); each read transaction sees
 * one snapshot.
 */
public final class SqliteDatabase implements Database {

    public static final String FILE_NAME = "gridmeter.db";
    /** Locked by the writer while it runs: a second server on the same data directory stops at start. */
    static final String LOCK_NAME = "writer.lock";

    private final Path file;
    private final int readerConnections;
    /** Made once the writer has created the schema (a read-only connection cannot set up a new file). */
    private final ReaderPool readers = new ReaderPool();
    private java.nio.channels.FileChannel lock;

    private SqliteDatabase(Path file, int readerConnections) {
        this.file = file;
        this.readerConnections = readerConnections;
    }

    private HikariDataSource readerPool() {
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("gridmeter-sqlite-readers");
        pool.setJdbcUrl(url(file));
        pool.setDataSourceProperties(config(true).toProperties()); // read-only from the start: SQLite cannot switch later
        pool.setReadOnly(true); // what the pool asks of every connection: the same, or the driver refuses
        pool.setMaximumPoolSize(readerConnections);
        pool.setMinimumIdle(1);
        return new HikariDataSource(pool);
    }

    /**
     * The database in {@code dataDir} (created, readable by this user only: it holds the meters' keys).
     * Its schema is migrated when the writer opens it.
     */
    public static SqliteDatabase open(Path dataDir, int readerConnections) throws IOException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            createOwnerOnly(file); // SQLite gives its WAL and shared-memory files the same mode
        }
        return new SqliteDatabase(file, readerConnections);
    }

    public Path file() {
        return file;
    }

    @Override
    public String describe() {
        return "SQLite " + file.toAbsolutePath().normalize();
    }

    @Override
    public Connection openWriter() throws SQLException {
        lockWriter();
        Connection c = DriverManager.getConnection(url(file), config(false).toProperties());
        try {
            Migrations.migrate(c, Migrations.SQLITE);
            c.setAutoCommit(false);
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                ownerOnly(file.resolveSibling(FILE_NAME + suffix)); // also a database made before the files were 0600
            }
            readers.startOnce(this::readerPool);
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Takes the data directory's writer lock (an OS lock: a crashed server's lock goes with it). */
    private void lockWriter() throws SQLException {
        if (lock != null) {
            return;
        }
        Path path = file.resolveSibling(LOCK_NAME);
        java.nio.channels.FileChannel channel = null;
        try {
            channel = java.nio.channels.FileChannel.open(path, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE);
            if (channel.tryLock() == null) {
                throw new java.nio.channels.OverlappingFileLockException();
            }
            lock = channel;
        } catch (java.nio.channels.OverlappingFileLockException e) { // held by another process, or by this one
            closeQuietly(channel);
            throw new StoreInUseException(file.getParent().toAbsolutePath() + " (it holds " + LOCK_NAME + ")",
                    "a data directory");
        } catch (IOException e) {
            closeQuietly(channel);
            throw new SQLException("cannot lock " + path + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(java.nio.channels.FileChannel channel) {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // nothing was locked
        }
    }

    @Override
    public Connection reader() throws SQLException {
        return readers.connection();
    }

    @Override
    public String least(String a, String b) {
        return "min(" + a + ", " + b + ")";
    }

    @Override
    public void close() {
        readers.close();
        closeQuietly(lock); // releases the writer lock
        lock = null;
    }

    private static String url(Path file) {
        return "jdbc:sqlite:" + file.toAbsolutePath();
    }

    private static SQLiteConfig config(boolean readOnly) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(10_000);
        config.setReadOnly(readOnly);
        // 64 MiB of page cache for the writer (SQLite's default is 2 MiB): with thousands of meters each
        // transaction touches pages all over the readings, rollups and state B-trees
        config.setCacheSize(readOnly ? -8192 : -65536);
        return config;
    }

    private static void createOwnerOnly(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
    }

    private static void ownerOnly(Path file) {
        try {
            if (Files.exists(file) && file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot make " + file + " readable by its owner only: " + e.getMessage(), e);
        }
    }
}
