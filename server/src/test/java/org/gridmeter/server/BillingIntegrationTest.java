package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.gridmeter.protocol.LegacyDatagramCodec;
import org.gridmeter.protocol.Reading;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Invoices as docs/api.md describes them ("Billing, in plain words"), hand-computed, through the real server: UDP in, HTTP out. */
class BillingIntegrationTest {

    private static final long HOUR = 3_600_000L;

    @TempDir
    Path dir;
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start(String... flags) throws Exception {
        List<String> all = new ArrayList<>(List.of("--zone", "America/Bahia", "--closing-day", "10"));
        all.addAll(List.of(flags));
        server = TestServer.start(dir, all.toArray(String[]::new));
        server.register(1);
    }

    private static long at(String localBahia) {
        return OffsetDateTime.parse(localBahia + "-03:00").toInstant().toEpochMilli();
    }

    private void send(List<Reading> readings) {
        server.sendAll(1, readings);
    }

    private JsonNode invoices() {
        return TestServer.json(server.get("/usuario/fatura/?id=1")).get("faturas");
    }

    private static JsonNode month(JsonNode invoices, String month) {
        for (JsonNode i : invoices) {
            if (i.get("mes").asText().equals(month)) {
                return i;
            }
        }
        throw new AssertionError("no invoice " + month + " in " + invoices);
    }

    @Test
    void threeCyclesOfHourlyReadingsAreBilledExactly() throws Exception {
        start();
        // Hourly readings at half past each hour, so every closing midnight falls between two readings:
        // 0.5 kW from 2025-12-20 00:30 to 2026-01-20 00:30, then 1 kW until 2026-03-10 01:30.
        List<Reading> readings = new ArrayList<>();
        long t = at("2025-12-20T00:30:00");
        long energy = 0;
        long seq = 0;
        while (t <= at("2026-03-10T01:30:00")) {
            readings.add(new Reading(seq++, t, energy, t < at("2026-01-20T00:30:00") ? 500 : 1000));
            energy += t < at("2026-01-20T00:30:00") ? 500_000 : 1_000_000;
            t += HOUR;
        }
        send(readings);

        JsonNode invoices = invoices();
        assertThat(invoices).extracting(i -> i.get("mes").asText()).containsExactly("2026-04", "2026-03", "2026-02",
                "2026-01");

        JsonNode january = month(invoices, "2026-01"); // 2025-12-20 00:30 .. 2026-01-10 00:00: 503.5 h at 0.5 kW
        assertThat(january.get("status").asText()).isEqualTo("fechada");
        assertThat(january.get("inicio").asText()).isEqualTo("2025-12-10T00:00:00-03:00");
        assertThat(january.get("fim").asText()).isEqualTo("2026-01-10T00:00:00-03:00");
        assertThat(january.get("consumo").decimalValue()).isEqualByComparingTo("251.75");
        assertThat(january.get("valor da fatura").decimalValue()).isEqualByComparingTo("163.64"); // 163.6375
        assertThat(january.get("leitura_inicial_kwh").decimalValue()).isEqualByComparingTo("0");
        assertThat(january.get("leitura_final_kwh").decimalValue()).isEqualByComparingTo("251.75");
        assertThat(january.get("estimada").asBoolean()).isFalse();
        assertThat(january.get("tarifa").get("preco_kwh").decimalValue()).isEqualByComparingTo("0.65");

        JsonNode february = month(invoices, "2026-02"); // 240.5 h at 0.5 kW + 503.5 h at 1 kW
        assertThat(february.get("consumo").decimalValue()).isEqualByComparingTo("623.75");
        assertThat(february.get("valor da fatura").decimalValue()).isEqualByComparingTo("405.44"); // 405.4375
        assertThat(february.get("leitura_inicial_kwh").decimalValue()).isEqualByComparingTo("251.75");

        JsonNode march = month(invoices, "2026-03"); // 28 days at 1 kW
        assertThat(march.get("consumo").decimalValue()).isEqualByComparingTo("672");
        assertThat(march.get("valor da fatura").decimalValue()).isEqualByComparingTo("436.80");
        assertThat(march.get("ajuste_kwh").decimalValue()).isEqualByComparingTo("0");

        JsonNode open = month(invoices, "2026-04"); // 1.5 h so far
        assertThat(open.get("status").asText()).isEqualTo("aberta");
        assertThat(open.get("consumo").decimalValue()).isEqualByComparingTo("1.5");

        assertThat(TestServer.json(server.get("/usuario/fatura/?id=1&mes=02")).get("mes").asText()).isEqualTo("2026-02");
        assertThat(TestServer.json(server.get("/usuario/fatura/?id=1&mes=2026-01")).get("consumo").decimalValue())
                .isEqualByComparingTo("251.75");
        assertThat(server.get("/usuario/fatura/?id=1&mes=07").statusCode()).isEqualTo(404);
        assertThat(server.get("/usuario/fatura/?id=1&mes=13").statusCode()).isEqualTo(400);

        // The 15-minute buckets of a cycle add up to its invoice.
        JsonNode series = TestServer.json(server.get("/usuario/consumo/intervalo/?id=1&inicio=2026-01-10T00:00:00-03:00"
                + "&fim=2026-02-10T00:00:00-03:00&passo=dia"));
        assertThat(series.get("total_kwh").decimalValue()).isEqualByComparingTo("623.75");
        assertThat(series.get("serie")).hasSize(31);
    }

    @Test
    void consumptionLearntAfterACycleClosedIsTheNextInvoicesAdjustment() throws Exception {
        start();
        send(List.of(new Reading(0, at("2026-01-05T00:00:00"), 0, 0),
                new Reading(2, at("2026-01-12T00:00:00"), 700_000_000, 4167)));
        // 700 kWh over 7 days: 5 days' worth, 500 kWh, fall before the closing on the 10th
        assertThat(month(invoices(), "2026-01").get("consumo").decimalValue()).isEqualByComparingTo("500");

        send(List.of(new Reading(1, at("2026-01-09T00:00:00"), 600_000_000, 6250))); // late: 600 kWh by the 9th
        assertThat(month(invoices(), "2026-01").get("consumo").decimalValue()).as("a closed invoice never changes")
                .isEqualByComparingTo("500");

        send(List.of(new Reading(3, at("2026-02-11T00:00:00"), 1_000_000_000, 417)));
        JsonNode february = month(invoices(), "2026-02");
        // cycle: 2/3 of the 9th-12th's 100 kWh (66.666667) + 29/30 of the 12th-11th's 300 kWh (290)
        assertThat(february.get("consumo").decimalValue()).isEqualByComparingTo("356.666667");
        // January really used 600 + 1/3 of 100 = 633.333333 kWh; 500 were billed
        assertThat(february.get("ajuste_kwh").decimalValue()).isEqualByComparingTo("133.333333");
        assertThat(february.get("valor da fatura").decimalValue()).isEqualByComparingTo("318.50"); // 490 * 0.65
    }

    @Test
    void tariffChangeAppliesToCyclesClosingAfterItAndNeverRewritesAClosedInvoice() throws Exception {
        start();
        send(List.of(new Reading(0, at("2026-01-01T00:00:00"), 0, 0),
                new Reading(1, at("2026-01-11T00:00:00"), 100_000_000, 1)));
        JsonNode before = month(invoices(), "2026-01");

        assertThat(server.send(java.net.http.HttpRequest.newBuilder(server.uri("/tarifa"))
                .header("Authorization", "Bearer " + TestServer.TOKEN)
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"vigente_desde\": "
                        + "\"2026-01-15T00:00:00-03:00\", \"preco_kwh\": 0.80}"))).statusCode()).isEqualTo(200);
        send(List.of(new Reading(2, at("2026-02-11T00:00:00"), 200_000_000, 1)));

        JsonNode invoices = invoices();
        assertThat(month(invoices, "2026-01")).isEqualTo(before);
        assertThat(before.get("valor da fatura").decimalValue()).isEqualByComparingTo("58.50"); // 90 kWh * 0.65
        JsonNode february = month(invoices, "2026-02"); // 10 + 96.774194 kWh... at 0.80
        assertThat(february.get("tarifa").get("preco_kwh").decimalValue()).isEqualByComparingTo("0.80");
        assertThat(february.get("valor da fatura").decimalValue()).isEqualByComparingTo(
                february.get("consumo").decimalValue().add(february.get("ajuste_kwh").decimalValue())
                        .multiply(new java.math.BigDecimal("0.80")).setScale(2, java.math.RoundingMode.HALF_UP));
        JsonNode tariff = TestServer.json(server.get("/tarifa"));
        assertThat(tariff.get("vigente").get("preco_kwh").decimalValue()).isEqualByComparingTo("0.80");
        assertThat(tariff.get("dia_fechamento").asInt()).isEqualTo(10);
        assertThat(server.send(java.net.http.HttpRequest.newBuilder(server.uri("/tarifa"))
                .header("Authorization", "Bearer " + TestServer.TOKEN)
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"preco_kwh\": \"caro\"}"))).body())
                .contains("tarifa_invalida", "'preco_kwh'");
    }

    @Test
    void silentMeterGetsAnEstimatedInvoiceAfterTheGrace() throws Exception {
        start("--close-grace", "1s");
        send(List.of(new Reading(0, at("2026-01-01T00:00:00"), 0, 0),
                new Reading(1, at("2026-01-08T00:00:00"), 70_000_000, 417)));
        assertThat(invoices()).as("within the grace: nothing closes").hasSize(1);
        server.testClock().advance(Duration.ofSeconds(2)); // silent for longer than --close-grace

        await().atMost(Duration.ofSeconds(10)).until(() -> invoices().size() > 1);
        JsonNode january = month(invoices(), "2026-01");
        assertThat(january.get("estimada").asBoolean()).isTrue();
        assertThat(january.get("consumo").decimalValue()).isEqualByComparingTo("70");

        send(List.of(new Reading(2, at("2026-01-09T00:00:00"), 80_000_000, 417))); // late for a closed cycle
        JsonNode open = invoices().get(0);
        assertThat(open.get("status").asText()).isEqualTo("aberta");
        assertThat(open.get("ajuste_kwh").decimalValue()).isEqualByComparingTo("10");
    }

    @Test
    void legacyMeterThatZeroesItsCounterAtClosingLosesNothing() throws Exception {
        start();
        long t = at("2026-01-09T22:00:00");
        // 0.1 Wh units: 100 kWh, 100.5 kWh at 23:00, then the counter zeroes after the closing
        float[] values = {1_000_000f, 1_005_000f, 5_000f, 10_000f, 15_000f};
        for (int i = 0; i < values.length; i++) {
            server.send(LegacyDatagramCodec.encode(1, (t + i * HOUR) / 1000, values[i]));
        }
        server.awaitHandled(values.length);

        for (JsonNode r : TestServer.json(server.get("/usuario/consumo/?id=1")).get("consumo")) {
            assertThat(r.get("consumo_kwh").decimalValue().signum()).isNotNegative();
        }
        assertThat(server.user(1).get("consumo_total_kwh").decimalValue())
                .as(server.get("/usuario/consumo/?id=1").body()).isEqualByComparingTo("102");
        java.math.BigDecimal billed = java.math.BigDecimal.ZERO;
        for (JsonNode invoice : invoices()) {
            billed = billed.add(invoice.get("consumo").decimalValue()).add(invoice.get("ajuste_kwh").decimalValue());
        }
        // the reading at the closing midnight was only known to be a reset an hour later, after January had
        // closed, so its 0.5 kWh is February's adjustment: billed once, never lost
        assertThat(billed).isEqualByComparingTo("102");
        assertThat(month(invoices(), "2026-02").get("ajuste_kwh").decimalValue()).isEqualByComparingTo("0.5");
    }
}
