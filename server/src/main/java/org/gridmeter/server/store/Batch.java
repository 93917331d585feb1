package org.gridmeter.server.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A prepared statement's batch, executed every {@value #ROWS} rows. The SQLite driver clears a
 * batch by nulling every slot of the array it ever grew to, at each execution: one batch of a
 * million rows would make every later execution of the statement, however small, cost milliseconds.
 */
final class Batch {

    static final int ROWS = 512;

    private final PreparedStatement statement;
    private int rows;

    Batch(PreparedStatement statement) {
        this.statement = statement;
    }

    /** The statement, to bind the next row's parameters. */
    PreparedStatement statement() {
        return statement;
    }

    /** Adds the row bound; executes the batch when it is full. */
    void add() throws SQLException {
        statement.addBatch();
        if (++rows == ROWS) {
            flush();
        }
    }

    /** Executes what is left. */
    void flush() throws SQLException {
        if (rows > 0) {
            statement.executeBatch();
            rows = 0;
        }
    }
}
