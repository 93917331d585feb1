package org.gridmeter.server.alerts;

import java.math.BigDecimal;

/**
 * One alert event: which rule fired, when, and what it compared.
 *
 * @param rule        the rule ({@code motivo}): {@code ciclo_acima_da_media}, {@code potencia_15min},
 *                    {@code ciclo_acima_do_anterior}, {@code potencia_5min_vs_hora}, {@code sem_sinal}
 * @param endMillis   when it ended, or {@code -1} while active
 * @param value       what was measured (kWh or kW, or minutes silent)
 * @param baseline    what it was compared with (the threshold it crossed)
 * @param window      the window compared, in words
 */
public record Alert(long id, long meterId, AlertType type, String rule, long startMillis, long endMillis,
        BigDecimal value, BigDecimal baseline, String window, String message) {

    public boolean active() {
        return endMillis < 0;
    }

    public Alert ended(long at) {
        return new Alert(id, meterId, type, rule, startMillis, at, value, baseline, window, message);
    }
}
