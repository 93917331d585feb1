package org.gridmeter.server.alerts;

/** Where alerts are kept; writer thread, in its open transaction. */
public interface AlertRepository {

    /** Stores a new alert and returns its id. */
    long insert(Alert alert);

    /** Records that alert {@code id} ended at {@code endMillis}. */
    void end(long id, long endMillis);
}
