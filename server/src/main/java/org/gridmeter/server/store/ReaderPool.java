package org.gridmeter.server.store;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Supplier;

/** A database's pool of read-only connections, made once the writer has created the schema they read. */
final class ReaderPool {

    private volatile HikariDataSource pool;

    /** Makes the pool unless it exists (called when the writer opens, after the migrations). */
    void startOnce(Supplier<HikariDataSource> make) {
        if (pool == null) {
            pool = make.get();
        }
    }

    Connection connection() throws SQLException {
        HikariDataSource p = pool;
        if (p == null) {
            throw new IllegalStateException("open the writer first: it creates the schema the readers read");
        }
        return p.getConnection();
    }

    void close() {
        if (pool != null) {
            pool.close();
        }
    }
}
