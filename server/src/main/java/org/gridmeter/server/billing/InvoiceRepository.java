package org.gridmeter.server.billing;

/** Where the biller keeps the invoices it closes; writer thread, in its open transaction. */
@FunctionalInterface
public interface InvoiceRepository {

    /** Saves (or replaces, for the same meter and cycle) the invoice. */
    void saveInvoice(Invoice invoice);
}
