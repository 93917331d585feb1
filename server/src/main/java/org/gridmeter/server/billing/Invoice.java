package org.gridmeter.server.billing;

import java.math.BigDecimal;

/**
 * An invoice: one meter's billing cycle. Closed invoices never change; the open cycle's invoice is
 * computed on request.
 *
 * @param openingMwh     the meter's consumption register at the cycle's start (interpolated)
 * @param consumptionMwh consumption within the cycle (interpolated at both boundaries)
 * @param adjustmentMwh  consumption of earlier, already closed cycles learnt since they closed
 * @param amount         the tariff applied to consumption + adjustment, in currency, to cents
 * @param closedMillis   when it closed (server clock), or {@code -1} while open
 */
public record Invoice(long meterId, BillingCalendar.Cycle cycle, long openingMwh, long consumptionMwh,
        long adjustmentMwh, BigDecimal amount, Tariff tariff, boolean estimated, long closedMillis) {

    public boolean closed() {
        return closedMillis >= 0;
    }

    public long closingMwh() {
        return openingMwh + consumptionMwh;
    }

    /** kWh billed: consumption plus adjustment, exact. */
    public static BigDecimal kwh(long mwh) {
        return BigDecimal.valueOf(mwh, 6);
    }
}
