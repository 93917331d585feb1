package org.gridmeter.server.billing;

/** Where the biller stores what it decides; called on the writer thread, in its open transaction. */
public interface BillingRepository {

    void saveInvoice(Invoice invoice);
}
