package org.gridmeter.server.usage;

import java.util.List;

/**
 * Where meters' running states are saved at checkpoints; writer thread, in its open transaction;
 * failures are unchecked ({@code StoreException}).
 */
public interface StateRepository {

    /** Saves these meters' states, each covering the readings committed so far. */
    void saveStates(List<MeterState.Saved> states);

    /** Every meter's saved state: what a restart resumes from (then the readings logged after it). */
    List<MeterState.Saved> loadStates();
}
