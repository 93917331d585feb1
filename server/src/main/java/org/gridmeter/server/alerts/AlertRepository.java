package org.gridmeter.server.alerts;

import java.util.List;

/** Where alerts are kept; writer thread, in its open transaction; failures are unchecked ({@code StoreException}). */
public interface AlertRepository {

    /** Stores a new alert and returns its id. */
    long insert(Alert alert);

    /** Records that alert {@code id} ended at {@code endMillis}. */
    void end(long id, long endMillis);

    /** The alerts that have not ended: what a restart resumes from. */
    List<Alert> loadActive();
}
