package org.gridmeter.server.alerts;

import java.util.Locale;

/** The kinds of alert; {@link #label()} is the documented {@code tipo}. */
public enum AlertType {
    EXCESSO, VARIACAO, SEM_SINAL;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AlertType of(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}
