package org.gridmeter.server.api;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** The documented time fields, all in the billing zone: {@code timestamp}, {@code data}, {@code horario}. */
final class TimeFormat {

    private static final DateTimeFormatter HORARIO = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final ZoneId zone;

    TimeFormat(ZoneId zone) {
        this.zone = zone;
    }

    ZoneId zone() {
        return zone;
    }

    ZonedDateTime at(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).atZone(zone);
    }

    /** ISO-8601 with the zone's offset, e.g. {@code 2026-01-01T09:30:00-03:00}. */
    String timestamp(long epochMillis) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(at(epochMillis));
    }

    /** {@code YYYY-MM-DD}. */
    String data(long epochMillis) {
        return at(epochMillis).toLocalDate().toString();
    }

    /** {@code HH:MM:SS}. */
    String horario(long epochMillis) {
        return HORARIO.format(at(epochMillis));
    }
}
