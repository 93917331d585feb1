package org.gridmeter.server.billing;

import java.util.List;

/**
 * Where billing is kept: invoices, each meter's billing state, and tariffs. Called on the writer
 * thread, in its open transaction; failures are unchecked ({@code StoreException}).
 */
public interface BillingRepository extends InvoiceRepository {

    /** Saves these meters' billing states (at a checkpoint). */
    void saveStates(List<Biller.Saved> states);

    /** Every meter's saved billing state: what a restart resumes from. */
    List<Biller.Saved> loadStates();

    /** Adds a tariff, in force from its effective time. */
    void saveTariff(Tariff tariff, long createdMillis);

    /** Every tariff, by effective time. */
    List<Tariff> loadTariffs();
}
