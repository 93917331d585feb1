package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.gridmeter.protocol.Reading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --retention}: raw readings go; rollups, totals and invoices stay; readings before what is kept are refused. */
class RetentionIntegrationTest {

    private static final long DAY = 86_400_000L;

    @TempDir
    Path dir;

    @Test
    void oldRawReadingsAreDeletedButTheirConsumptionIsKept() throws Exception {
        // noon UTC: the six hourly readings of three days ago stay within one day
        long now = Instant.parse("2026-06-15T12:00:00Z").toEpochMilli();
        TestClock clock = TestClock.at(now);
        List<Reading> readings = new ArrayList<>();
        for (int h = 0; h < 6; h++) {
            readings.add(new Reading(h, now - 3 * DAY + h * 3_600_000L, 1_000_000L * (h + 1), 1000)); // 3 days ago
        }
        readings.add(new Reading(6, now - 60_000, 10_000_000, 1000));
        String first = Instant.ofEpochMilli(now - 3 * DAY).atOffset(ZoneOffset.UTC).toLocalDate().toString();
        String today = Instant.ofEpochMilli(now).atOffset(ZoneOffset.UTC).toLocalDate().toString();

        try (TestServer server = TestServer.start(dir, clock, "--zone", "UTC")) {
            server.register(1);
            server.sendAll(1, readings);
            assertThat(TestServer.json(server.get("/usuario/consumo/?id=1")).get("consumo")).hasSize(7);
        }

        try (TestServer server = TestServer.start(dir, clock, "--zone", "UTC", "--retention", "1d")) {
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    TestServer.json(server.get("/usuario/consumo/?id=1")).get("consumo").size() == 2);
            JsonNode kept = TestServer.json(server.get("/usuario/consumo/?id=1")).get("consumo");
            assertThat(kept.get(0).get("kwh").decimalValue()).as("the last reading before the cutoff stays as anchor")
                    .isEqualByComparingTo("6");
            assertThat(server.user(1).get("consumo_total_kwh").decimalValue()).isEqualByComparingTo("10");
            JsonNode series = TestServer.json(server.get("/usuario/consumo/intervalo/?id=1&inicio=" + first + "&fim="
                    + today + "&passo=dia"));
            assertThat(series.get("total_kwh").decimalValue()).as("rollups are kept forever").isEqualByComparingTo("10");
            assertThat(series.get("serie").get(0).get("consumo_kwh").decimalValue().doubleValue())
                    .as("the first day's 6 kWh of deleted readings, and a share of the gap after").isGreaterThan(6);

            server.send(1, new Reading(7, now - 3 * DAY, 11_000_000, 1000)); // before the kept anchor
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server.metrics().readingsTooOld.sum() == 1);
            server.send(1, new Reading(9, now - DAY / 2, 8_000_000, 1000)); // within the retention: late, decided
            server.awaitHandled(2);
            server.send(1, new Reading(8, now, 10_500_000, 1000));
            server.awaitHandled(3);
            assertThat(server.user(1).get("consumo_total_kwh").decimalValue()).isEqualByComparingTo("10.5");
            assertThat(TestServer.json(server.get("/usuario/consumo/?id=1")).get("consumo")).hasSize(4);
        }
    }

    @Test
    void monthsOlderThanEveryMetersFirstKeptReadingGoWholeAndEachMeterKeepsItsAnchor() throws Exception {
        long now = Instant.parse("2026-06-15T12:00:00Z").toEpochMilli();
        TestClock clock = TestClock.at(now);
        long march = Instant.parse("2026-03-10T00:00:00Z").toEpochMilli();
        long april = Instant.parse("2026-04-10T00:00:00Z").toEpochMilli();
        try (TestServer server = TestServer.start(dir, clock, "--zone", "UTC")) {
            for (long id = 1; id <= 2; id++) {
                server.register(id);
                server.sendAll(id, List.of(new Reading(0, march, 1_000_000, 100), new Reading(1, march + DAY, 2_000_000, 100),
                        new Reading(2, april + id * DAY, 3_000_000, 100), new Reading(3, now - 60_000, 4_000_000, 100)));
            }
            assertThat(TestStores.readingPartitions(dir)).as("PostgreSQL: a partition per month of readings")
                    .isIn(List.of(), List.of("readings_202603", "readings_202604", "readings_202606"));
        }
        try (TestServer server = TestServer.start(dir, clock, "--zone", "UTC", "--retention", "30d")) {
            for (long id = 1; id <= 2; id++) {
                long meter = id;
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        TestServer.json(server.get("/usuario/consumo/?id=" + meter)).get("consumo").size() == 2);
                JsonNode kept = TestServer.json(server.get("/usuario/consumo/?id=" + id)).get("consumo");
                assertThat(java.time.OffsetDateTime.parse(kept.get(0).get("timestamp").asText()).toInstant().toEpochMilli())
                        .as("meter %d keeps its last reading before the cutoff, in April", id).isEqualTo(april + id * DAY);
                assertThat(server.user(id).get("consumo_total_kwh").decimalValue()).isEqualByComparingTo("4");
            }
            assertThat(TestStores.readingPartitions(dir)).as("PostgreSQL: March dropped whole, April kept for the anchors")
                    .isIn(List.of(), List.of("readings_202604", "readings_202606"));
        }
    }
}
