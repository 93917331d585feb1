package org.gridmeter.server.billing;

import java.util.Locale;

/** The Brazilian tariff flag: green adds nothing; yellow and red add a surcharge per kWh. */
public enum Bandeira {
    VERDE, AMARELA, VERMELHA;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The flag named {@code label}, or {@code null}. */
    public static Bandeira of(String label) {
        for (Bandeira b : values()) {
            if (b.label().equals(label)) {
                return b;
            }
        }
        return null;
    }
}
