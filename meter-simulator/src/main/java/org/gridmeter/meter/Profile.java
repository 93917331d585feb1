package org.gridmeter.meter;

import java.util.Locale;

/**
 * A load profile named on the command line: {@code residencial}, {@code comercial} or
 * {@code constante:<kW>}.
 *
 * @param constantKw the power of {@code constante}, 0 for the others
 */
public record Profile(Kind kind, double constantKw) {

    /** The shapes a profile can have. */
    public enum Kind { RESIDENCIAL, COMERCIAL, CONSTANTE }

    public Profile {
        if (kind == Kind.CONSTANTE && !(constantKw >= 0 && constantKw <= 1000)) {
            throw new IllegalArgumentException("constante: " + constantKw + " kW (expected: 0..1000)");
        }
    }

    /** Parses {@code residencial}, {@code comercial} or {@code constante:<kW>} (e.g. {@code constante:1.5}). */
    public static Profile parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("residencial")) {
            return new Profile(Kind.RESIDENCIAL, 0);
        } else if (t.equals("comercial")) {
            return new Profile(Kind.COMERCIAL, 0);
        } else if (t.startsWith("constante:")) {
            try {
                return new Profile(Kind.CONSTANTE, Double.parseDouble(t.substring("constante:".length())));
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("'" + text
                + "' is not a profile (expected: residencial, comercial or constante:<kW>, e.g. constante:1.5)");
    }

    @Override
    public String toString() {
        return kind == Kind.CONSTANTE ? "constante:" + constantKw : kind.name().toLowerCase(Locale.ROOT);
    }
}
