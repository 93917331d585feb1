package org.gridmeter.server.api;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import org.gridmeter.server.http.ApiException;
import org.gridmeter.server.http.Request;

/** Query parameters, validated with 400s that name the parameter and show a valid example. */
final class Params {

    private static final DateTimeFormatter BRAZILIAN_DATE = DateTimeFormatter.ofPattern("dd/MM/uuuu");

    private Params() {
    }

    static String required(Request request, String name, String example) {
        String value = request.param(name);
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest("parametro_ausente",
                    "Falta o parâmetro '" + name + "', por exemplo ?" + example + ".",
                    "Query parameter '" + name + "' is required, e.g. ?" + example + ".");
        }
        return value.trim();
    }

    /** The user id in {@code ?id=}: a whole number from 1 to 4294967295. */
    static long id(Request request) {
        String value = required(request, "id", "id=1");
        try {
            long id = Long.parseLong(value);
            if (id >= 1 && id <= 0xFFFF_FFFFL) {
                return id;
            }
        } catch (NumberFormatException e) {
            // the message below says what is expected
        }
        throw ApiException.badRequest("parametro_invalido",
                "O parâmetro 'id' deve ser o número do usuário, de 1 a 4294967295, por exemplo id=1; veio '" + value + "'.",
                "Query parameter 'id' must be the user's number, 1 to 4294967295, e.g. id=1; got '" + value + "'.");
    }

    /** An optional whole number within {@code min..max}, or {@code fallback} if absent. */
    static int intParam(Request request, String name, int fallback, int min, int max) {
        String value = request.param(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below says what is expected
        }
        throw ApiException.badRequest("parametro_invalido", "O parâmetro '" + name + "' deve ser um número inteiro de "
                + min + " a " + max + ", por exemplo " + name + "=" + fallback + "; veio '" + value + "'.",
                "Query parameter '" + name + "' must be a whole number from " + min + " to " + max + ", e.g. " + name
                        + "=" + fallback + "; got '" + value + "'.");
    }

    /**
     * A date ({@code 2026-11-01}: its start, or with {@code endOfDay} the start of the next day) or an
     * ISO instant with its offset ({@code 2026-11-01T14:00:00-03:00}; a {@code +} sent unescaped
     * arrives as a space and is read as {@code +}), in {@code zone}.
     */
    static java.time.ZonedDateTime instant(String value, String name, boolean endOfDay, java.time.ZoneId zone) {
        try {
            if (value.length() == 10) {
                LocalDate day = LocalDate.parse(value);
                return (endOfDay ? day.plusDays(1) : day).atStartOfDay(zone);
            }
            return java.time.OffsetDateTime.parse(value.replace(' ', '+')).atZoneSameInstant(zone);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("parametro_invalido", "O parâmetro '" + name + "' deve ser uma data como "
                    + "2026-11-01 ou um instante como 2026-11-01T14:00:00-03:00; veio '" + value + "'.",
                    "Query parameter '" + name + "' must be a date like 2026-11-01 or a time like "
                            + "2026-11-01T14:00:00-03:00; got '" + value + "'.");
        }
    }

    /** A date in {@code ?data=}: {@code 2023-03-20} or {@code 20/03/2023}. */
    static LocalDate date(Request request) {
        String value = required(request, "data", "data=2023-03-20");
        try {
            return value.contains("/") ? LocalDate.parse(value, BRAZILIAN_DATE) : LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("parametro_invalido",
                    "O parâmetro 'data' deve ser uma data como 2023-03-20 ou 20/03/2023; veio '" + value + "'.",
                    "Query parameter 'data' must be a date like 2023-03-20 or 20/03/2023; got '" + value + "'.");
        }
    }
}
