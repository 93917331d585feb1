package org.gridmeter.server.store;

import java.sql.SQLException;

/** A storage failure surfaced through interfaces that do not declare {@link SQLException}. */
public final class StoreException extends RuntimeException {

    public StoreException(SQLException cause) {
        super(cause.getMessage(), cause);
    }
}
