package org.gridmeter.server.events;

import org.gridmeter.server.alerts.Alert;
import org.gridmeter.server.billing.Invoice;
import org.gridmeter.server.usage.MeterSnapshot;

/**
 * One live event of one meter, as the domain knows it; the HTTP side renders it ({@code leitura},
 * {@code alerta}, {@code fatura}) the way the routes render the same things.
 */
public sealed interface Event {

    long meterId();

    /** The meter's latest reading, once committed. */
    record ReadingEvent(MeterSnapshot meter) implements Event {
        @Override
        public long meterId() {
            return meter.meterId();
        }
    }

    /** An alert raised (active) or ended. */
    record AlertEvent(Alert alert) implements Event {
        @Override
        public long meterId() {
            return alert.meterId();
        }
    }

    /** An invoice closed. */
    record InvoiceEvent(Invoice invoice) implements Event {
        @Override
        public long meterId() {
            return invoice.meterId();
        }
    }
}
