package org.gridmeter.server.alerts;

import java.math.BigDecimal;

/**
 * One alert event: which rule fired, when, and what it compared. Its explanation in words is
 * {@link AlertTexts}'s, in the reader's language.
 *
 * @param rule      the rule ({@code motivo}): {@code ciclo_acima_da_media}, {@code potencia_15min},
 *                  {@code ciclo_acima_do_anterior}, {@code potencia_5min_vs_hora}, {@code sem_sinal}
 * @param endMillis when it ended, or {@code -1} while active
 * @param value     what was measured (kWh, kW, or seconds silent)
 * @param baseline  what it was compared with (the mean of past invoices, the last invoice, the hour
 *                  before, the meter's usual interval), or {@code null} for a fixed limit
 * @param limit     the threshold the value crossed
 * @param window    what was compared, as a code {@link AlertTexts} puts in words ({@code 15min},
 *                  {@code ciclo_vs_media:3}, {@code ciclo_vs_anterior}, {@code 5min_vs_hora}, {@code sem_sinal})
 */
public record Alert(long id, long meterId, AlertType type, String rule, long startMillis, long endMillis,
        BigDecimal value, BigDecimal baseline, BigDecimal limit, String window) {

    public boolean active() {
        return endMillis < 0;
    }

    public Alert ended(long at) {
        return new Alert(id, meterId, type, rule, startMillis, at, value, baseline, limit, window);
    }
}
