package org.gridmeter.server.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class BillingCalendarTest {

    private static long at(String isoWithOffset) {
        return OffsetDateTime.parse(isoWithOffset).toInstant().toEpochMilli();
    }

    private static String iso(long millis, String zone) {
        return Instant.ofEpochMilli(millis).atZone(ZoneId.of(zone)).toOffsetDateTime().toString();
    }

    @Test
    void cycleRunsFromClosingDayToClosingDayAndIsNamedAfterTheMonthItCloses() {
        BillingCalendar calendar = new BillingCalendar(ZoneId.of("America/Bahia"), 10);

        BillingCalendar.Cycle cycle = calendar.cycleOf(at("2026-01-09T23:59:59-03:00"));

        assertThat(iso(cycle.startMillis(), "America/Bahia")).isEqualTo("2025-12-10T00:00-03:00");
        assertThat(iso(cycle.endMillis(), "America/Bahia")).isEqualTo("2026-01-10T00:00-03:00");
        assertThat(cycle.month()).isEqualTo(YearMonth.of(2026, 1));
        assertThat(calendar.cycleOf(at("2026-01-10T00:00:00-03:00")).month()).isEqualTo(YearMonth.of(2026, 2));
    }

    @Test
    void closingDayPastAShortMonthsEndIsItsLastDay() {
        BillingCalendar calendar = new BillingCalendar(ZoneId.of("America/Bahia"), 31);

        BillingCalendar.Cycle february = calendar.cycleClosingIn(YearMonth.of(2026, 2));
        BillingCalendar.Cycle leap = calendar.cycleClosingIn(YearMonth.of(2028, 2));

        assertThat(iso(february.startMillis(), "America/Bahia")).isEqualTo("2026-01-31T00:00-03:00");
        assertThat(iso(february.endMillis(), "America/Bahia")).isEqualTo("2026-02-28T00:00-03:00");
        assertThat(iso(leap.endMillis(), "America/Bahia")).isEqualTo("2028-02-29T00:00-03:00");
        assertThat(calendar.next(february).endMillis()).isEqualTo(at("2026-03-31T00:00:00-03:00"));
    }

    @Test
    void aClosingDayWhoseMidnightDstSkipsStartsAtTheFirstHourThatExists() {
        // Brazil's DST began on 2018-11-04: clocks went from 00:00 to 01:00 in São Paulo.
        BillingCalendar calendar = new BillingCalendar(ZoneId.of("America/Sao_Paulo"), 4);

        BillingCalendar.Cycle cycle = calendar.cycleClosingIn(YearMonth.of(2018, 11));

        assertThat(iso(cycle.endMillis(), "America/Sao_Paulo")).isEqualTo("2018-11-04T01:00-02:00");
        assertThat(iso(cycle.startMillis(), "America/Sao_Paulo")).isEqualTo("2018-10-04T00:00-03:00");
        assertThat(cycle.endMillis() - cycle.startMillis()).as("01:00-02:00 is the instant 00:00-03:00 would be")
                .isEqualTo(31 * 24 * 3_600_000L);
    }

    @Test
    void lisbonCycleAcrossTheAutumnChangeIsAnHourLonger() {
        BillingCalendar calendar = new BillingCalendar(ZoneId.of("Europe/Lisbon"), 10);

        BillingCalendar.Cycle cycle = calendar.cycleClosingIn(YearMonth.of(2026, 11));

        assertThat(cycle.endMillis() - cycle.startMillis()).isEqualTo((31 * 24 + 1) * 3_600_000L);
    }

    @Test
    void cyclesCrossTheYearBoundary() {
        BillingCalendar calendar = new BillingCalendar(ZoneId.of("America/Bahia"), 10);

        BillingCalendar.Cycle january = calendar.cycleOf(at("2025-12-31T12:00:00-03:00"));

        assertThat(january.month()).isEqualTo(YearMonth.of(2026, 1));
        assertThat(calendar.next(calendar.cycleClosingIn(YearMonth.of(2025, 12))).month())
                .isEqualTo(YearMonth.of(2026, 1));
    }
}
