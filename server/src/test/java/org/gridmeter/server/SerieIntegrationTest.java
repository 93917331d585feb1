package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.gridmeter.protocol.Reading;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code intervalo} and {@code periodo}: consumption over time from the rollups, in the billing zone. */
class SerieIntegrationTest {

    private static final long HOUR = 3_600_000L;

    @TempDir
    Path dir;
    private TestServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    /** 1 kWh an hour, a reading every 15 minutes, from {@code start} for {@code hours}. */
    private void steady(long start, int hours) {
        List<Reading> readings = new ArrayList<>();
        for (int q = 0; q <= hours * 4; q++) {
            readings.add(new Reading(q, start + q * HOUR / 4, q * 250_000L, 1000));
        }
        server.sendAll(1, readings);
    }

    @Test
    void hourlySeriesAndCsvOverADayWithItsTotal() throws Exception {
        server = TestServer.start(dir, "--zone", "America/Bahia");
        server.register(1);
        steady(OffsetDateTime.parse("2026-03-01T00:00:00-03:00").toInstant().toEpochMilli(), 48);

        JsonNode day = TestServer.json(server.get("/usuario/consumo/intervalo/?id=1&inicio=2026-03-01&fim=2026-03-01"));
        assertThat(day.get("passo").asText()).isEqualTo("hora");
        assertThat(day.get("serie")).hasSize(24);
        assertThat(day.get("serie").get(5).get("inicio").asText()).isEqualTo("2026-03-01T05:00:00-03:00");
        assertThat(day.get("serie").get(5).get("consumo_kwh").decimalValue()).isEqualByComparingTo("1");
        assertThat(day.get("total_kwh").decimalValue()).isEqualByComparingTo("24");

        JsonNode quarters = TestServer.json(server.get(
                "/usuario/consumo/intervalo/?id=1&inicio=2026-03-02&fim=2026-03-02&passo=15min"));
        assertThat(quarters.get("serie")).hasSize(96);
        assertThat(quarters.get("serie").get(0).get("consumo_kwh").decimalValue()).isEqualByComparingTo("0.25");

        HttpResponse<String> csv = server.get("/usuario/consumo/intervalo/?id=1&inicio=2026-03-01&fim=2026-03-02"
                + "&passo=dia&formato=csv");
        assertThat(csv.headers().firstValue("content-type")).hasValue("text/csv; charset=utf-8");
        assertThat(csv.body().lines().toList()).containsExactly("inicio,fim,consumo_kwh",
                "2026-03-01T00:00:00-03:00,2026-03-02T00:00:00-03:00,24",
                "2026-03-02T00:00:00-03:00,2026-03-03T00:00:00-03:00,24");

        assertThat(server.get("/usuario/consumo/intervalo/?id=1&inicio=2026-03-01&fim=2026-03-01&passo=semana")
                .body()).contains("'passo'");
        assertThat(server.get("/usuario/consumo/intervalo/?id=1&inicio=ontem&fim=2026-03-01").body())
                .contains("'inicio'");
        assertThat(server.get("/usuario/consumo/intervalo/?id=1&inicio=2026-03-02&fim=2026-03-01").statusCode())
                .isEqualTo(400);
    }

    @Test
    void daysFollowTheZoneAcrossTheChangeOfClock() throws Exception {
        server = TestServer.start(dir, "--zone", "Europe/Lisbon");
        server.register(1);
        // Lisbon left summer time on 2026-10-25: that day has 25 hours.
        steady(OffsetDateTime.parse("2026-10-24T00:00:00+01:00").toInstant().toEpochMilli(), 73);

        JsonNode days = TestServer.json(server.get(
                "/usuario/consumo/intervalo/?id=1&inicio=2026-10-24&fim=2026-10-26&passo=dia"));

        assertThat(days.get("serie")).extracting(d -> d.get("consumo_kwh").decimalValue().intValue())
                .containsExactly(24, 25, 24);
        assertThat(days.get("serie").get(1).get("fim").asText()).isEqualTo("2026-10-26T00:00:00Z");
        JsonNode months = TestServer.json(server.get(
                "/usuario/consumo/intervalo/?id=1&inicio=2026-10-01&fim=2026-10-31&passo=mes"));
        assertThat(months.get("serie")).hasSize(1);
        assertThat(months.get("total_kwh").decimalValue()).isEqualByComparingTo("73");
    }
}
