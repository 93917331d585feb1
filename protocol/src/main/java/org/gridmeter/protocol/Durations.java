package org.gridmeter.protocol;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Human durations as the command lines and the docs write them: {@code 200ms}, {@code 5s},
 * {@code 1m}, {@code 24h}, {@code 400d}, or ISO-8601 ({@code PT5M}). Shared by the server and the
 * meter so both accept the same text.
 */
public final class Durations {

    private static final Pattern SIMPLE = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|min|h|d)");

    private Durations() {
    }

    /** Parses {@code text}; throws {@link IllegalArgumentException} with the accepted forms otherwise. */
    public static Duration parse(String text) {
        String t = text == null ? "" : text.trim();
        Matcher m = SIMPLE.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m", "min" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(t);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (expected: a whole number and a unit, "
                    + "ms, s, m, h or d, e.g. 200ms, 5s, 1m, 24h; or ISO-8601 such as PT5M)");
        }
    }

    /** The shortest of the simple forms that states {@code d} exactly, e.g. {@code 5s}, {@code 200ms}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000 == 0 && ms != 0) {
            return ms / 86_400_000 + "d";
        } else if (ms % 3_600_000 == 0 && ms != 0) {
            return ms / 3_600_000 + "h";
        } else if (ms % 60_000 == 0 && ms != 0) {
            return ms / 60_000 + "m";
        } else if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
