package org.gridmeter.protocol;

import java.math.BigDecimal;

/**
 * What a command line says about a flag's bad value, in the user's terms: the flag, the value given,
 * what was expected and an example of a good value, never a Java type or exception name. Shared by
 * the server's and the meter's command lines (like {@link Durations}), so both speak alike.
 */
public final class FlagErrors {

    private FlagErrors() {
    }

    /**
     * The message for {@code value} given to {@code flag}.
     *
     * @param type         the flag's Java type, to say what kind of value was expected
     * @param defaultValue the flag's default (used as the example), or {@code null}
     * @param cause        why conversion failed: the message of one of our converters is used as is;
     *                     the JDK's own number parsing failures are replaced by the type's wording
     */
    public static String invalidValue(String flag, String value, Class<?> type, String defaultValue, Throwable cause) {
        if (cause instanceof IllegalArgumentException && !(cause instanceof NumberFormatException)
                && cause.getMessage() != null) {
            return flag + ": " + cause.getMessage();
        }
        return flag + ": '" + value + "' " + expected(flag, type, defaultValue);
    }

    /** "(expected: …, e.g. --flag …)" for a flag of {@code type}. */
    static String expected(String flag, Class<?> type, String defaultValue) {
        if (type == long.class || type == Long.class || type == int.class || type == Integer.class) {
            return "(expected: a whole number, e.g. " + flag + " " + example(defaultValue, "7") + ")";
        } else if (type == double.class || type == Double.class || type == BigDecimal.class) {
            return "(expected: a number with a dot for decimals, e.g. " + flag + " " + example(defaultValue, "1.5") + ")";
        } else if (type == boolean.class || type == Boolean.class) {
            return "(expected: true or false, e.g. " + flag + " true)";
        }
        return "(expected: see --help for the forms it takes)";
    }

    private static String example(String defaultValue, String fallback) {
        return defaultValue == null || defaultValue.isBlank() || !defaultValue.matches("[0-9.]+") ? fallback
                : defaultValue;
    }
}
