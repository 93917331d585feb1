package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gridmeter.protocol.Reading;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Periods and intervals are exact like invoices. Every {@code periodo} and
 * every {@code passo} is checked against a brute-force computation from the raw readings: the
 * cumulative consumption interpolated linearly between readings (counted from zero at the first
 * one), read at the period's ends; nothing extrapolated past the latest reading. Readings 1 s, 5 min
 * and 40 min apart; "now" and the zone (UTC+05:30, so hours start at :30 UTC) are not on a
 * 15-minute boundary of any rollup.
 */
class PeriodsIntegrationTest {

    private static final ZoneId ZONE = ZoneId.of("Asia/Kolkata");
    private static final long NOW = Instant.parse("2026-11-18T14:37:23.456Z").toEpochMilli();
    private static final long MINUTE = 60_000;
    /** What the server's mWh may differ from the real-valued truth: its shares are floored per decision, once at each end. */
    private static final double MWH_TOLERANCE = 2;

    @TempDir
    Path dir;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(dir, TestClock.at(NOW), "--zone", ZONE.getId());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A meter's readings, in time order, the last one {@code endsBefore} before now. */
    private static List<Reading> meter(long spacingMillis, int count, long endsBefore, long seed) {
        Random random = new Random(seed);
        List<Reading> readings = new ArrayList<>();
        long energy = 1 + random.nextInt(5_000_000);
        long t = NOW - endsBefore - (count - 1) * spacingMillis;
        for (int i = 0; i < count; i++) {
            readings.add(new Reading(i, t + i * spacingMillis, energy, 1000));
            energy += random.nextInt((int) Math.max(2, spacingMillis / 5)); // up to ~720 W
        }
        return readings;
    }

    /** The brute force: cumulative consumption at {@code t}, counted from zero at the first reading. */
    private static double cumulative(List<Reading> r, long t) {
        if (t <= r.get(0).timestampMillis()) {
            return 0;
        }
        for (int i = 1; i < r.size(); i++) {
            Reading a = r.get(i - 1);
            Reading b = r.get(i);
            if (t <= b.timestampMillis()) {
                return a.energyMwh() + (double) (b.energyMwh() - a.energyMwh()) * (t - a.timestampMillis())
                        / (b.timestampMillis() - a.timestampMillis());
            }
        }
        return r.get(r.size() - 1).energyMwh();
    }

    private static long millis(String timestamp) {
        return OffsetDateTime.parse(timestamp).toInstant().toEpochMilli();
    }

    private static double mwh(JsonNode kwh) {
        return kwh.decimalValue().movePointRight(6).doubleValue();
    }

    @Test
    void everyPeriodAndEveryStepIsWhatTheReadingsSay() {
        List<List<Reading>> meters = List.of(meter(1_000, 7_200, 7_000, 1), meter(5 * MINUTE, 2_880, 3 * MINUTE, 2),
                meter(40 * MINUTE, 2_520, 25 * MINUTE, 3));
        for (int m = 0; m < meters.size(); m++) {
            server.register(m + 1);
            server.sendAll(m + 1, meters.get(m));
        }
        for (int m = 0; m < meters.size(); m++) {
            checkPeriods(m + 1, meters.get(m));
            for (String passo : List.of("15min", "hora", "dia", "mes")) {
                checkSteps(m + 1, meters.get(m), passo);
            }
        }
    }

    private void checkPeriods(long id, List<Reading> readings) {
        ZonedDateTime now = Instant.ofEpochMilli(NOW).atZone(ZONE);
        long latest = readings.get(readings.size() - 1).timestampMillis();
        long today = now.toLocalDate().atStartOfDay(ZONE).toInstant().toEpochMilli();
        long monday = now.toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).atStartOfDay(ZONE)
                .toInstant().toEpochMilli();
        LocalDate first = now.toLocalDate().withDayOfMonth(1);
        long thisMonth = first.atStartOfDay(ZONE).toInstant().toEpochMilli();
        long lastMonth = first.minusMonths(1).atStartOfDay(ZONE).toInstant().toEpochMilli();
        for (Object[] p : new Object[][] {{"ultimos_30min", NOW - 30 * MINUTE}, {"hoje", today}, {"semana", monday},
                {"mes", thisMonth}}) {
            long from = (long) p[1];
            JsonNode answer = TestServer.json(server.get("/usuario/consumo/periodo/?id=" + id + "&periodo=" + p[0]));
            double expected = latest < from ? 0 : cumulative(readings, latest + 1) - cumulative(readings, from);
            assertThat(mwh(answer.get("consumo_kwh"))).as("meter %d, %s", id, p[0]).isCloseTo(expected,
                    within(MWH_TOLERANCE));
            assertThat(millis(answer.get("inicio").asText())).isEqualTo(from);
            assertThat(millis(answer.get("fim").asText())).as("meter %d, %s ends at the latest reading", id, p[0])
                    .isEqualTo(Math.max(from, latest));
        }
        JsonNode previous = TestServer.json(server.get("/usuario/consumo/periodo/?id=" + id + "&periodo=mes_anterior"));
        assertThat(mwh(previous.get("consumo_kwh"))).as("meter %d, mes_anterior", id)
                .isCloseTo(cumulative(readings, thisMonth) - cumulative(readings, lastMonth), within(MWH_TOLERANCE));
        assertThat(millis(previous.get("fim").asText())).isEqualTo(thisMonth);
    }

    private void checkSteps(long id, List<Reading> readings, String passo) {
        long latest = readings.get(readings.size() - 1).timestampMillis();
        LocalDate firstDay = Instant.ofEpochMilli(readings.get(0).timestampMillis()).atZone(ZONE).toLocalDate();
        LocalDate today = Instant.ofEpochMilli(NOW).atZone(ZONE).toLocalDate();
        JsonNode answer = TestServer.json(server.get("/usuario/consumo/intervalo/?id=" + id + "&inicio=" + firstDay
                + "&fim=" + today + "&passo=" + passo));
        JsonNode steps = answer.get("serie");
        double total = 0;
        for (JsonNode step : steps) {
            long start = millis(step.get("inicio").asText());
            long end = millis(step.get("fim").asText());
            assertThat(start).as("meter %d, %s: no step after the latest reading", id, passo).isLessThanOrEqualTo(latest);
            double expected = cumulative(readings, end) - cumulative(readings, start);
            assertThat(mwh(step.get("consumo_kwh"))).as("meter %d, %s, step from %s", id, passo,
                    step.get("inicio").asText()).isCloseTo(expected, within(MWH_TOLERANCE));
            total += mwh(step.get("consumo_kwh"));
        }
        long lastEnd = millis(steps.get(steps.size() - 1).get("fim").asText());
        assertThat(lastEnd).as("meter %d, %s: the last step holds the latest reading", id, passo).isGreaterThan(latest);
        assertThat(mwh(answer.get("total_kwh"))).isCloseTo(total, within(0.5));
        assertThat(mwh(answer.get("total_kwh"))).as("meter %d, %s: everything, from the first reading", id, passo)
                .isCloseTo(readings.get(readings.size() - 1).energyMwh(), within(MWH_TOLERANCE));
    }

    @Test
    void theContractsExampleOfTheLastHalfHourIsExact() {
        server.register(9);
        server.sendAll(9, List.of(new Reading(0, NOW - 20 * MINUTE, 0, 0), new Reading(1, NOW - 10 * MINUTE, 100_000, 600),
                new Reading(2, NOW - MINUTE, 200_000, 667)));

        JsonNode answer = TestServer.json(server.get("/usuario/consumo/periodo/?id=9&periodo=ultimos_30min"));

        assertThat(answer.get("consumo_kwh").decimalValue()).isEqualByComparingTo("0.2");
        assertThat(millis(answer.get("fim").asText())).isEqualTo(NOW - MINUTE);
        assertThat(server.get("/usuario/consumo/periodo/?id=9&periodo=ano").statusCode()).isEqualTo(400);
    }
}
