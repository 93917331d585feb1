package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.gridmeter.protocol.Reading;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The alert rules of docs/api.md ("Alerts, in plain words"), raised and cleared through the real server. */
class AlertIntegrationTest {

    private static final long MINUTE = 60_000L;
    /** The day before the server's clock, at 10:00 UTC: event time in the past, so no reading is in the future. */
    private static final long T0 = (TestServer.NOW / 86_400_000L - 1) * 86_400_000L + 10 * 3_600_000L;

    @TempDir
    Path dir;
    private TestServer server;
    private long energy;
    private long seq;

    @AfterEach
    void stop() {
        server.close();
    }

    private void start(String... flags) throws Exception {
        List<String> all = new ArrayList<>(List.of("--zone", "America/Bahia"));
        all.addAll(List.of(flags));
        server = TestServer.start(dir, all.toArray(String[]::new));
        server.register(1);
    }

    /** One reading a minute, one datagram each (rules are evaluated per datagram), at {@code kw}. */
    private void power(int fromMinute, int toMinute, double kw) {
        List<Reading> readings = new ArrayList<>();
        for (int m = fromMinute; m <= toMinute; m++) {
            if (seq > 0) {
                energy += Math.round(kw * 1_000_000 / 60);
            }
            readings.add(new Reading(seq++, T0 + m * MINUTE, energy, (int) (kw * 1000)));
        }
        for (Reading r : readings) {
            server.send(1, r);
        }
        server.awaitHandled(seq);
    }

    private JsonNode state(String type) {
        return TestServer.json(server.get("/usuario/alerta/" + type + "/?id=1"));
    }

    @Test
    void excessPowerOver15MinutesRaisesAndClearsWithItsExplanation() throws Exception {
        start();
        power(0, 20, 6.0);

        JsonNode raised = state("excesso");
        assertThat(raised.get("alerta").asBoolean()).isTrue();
        assertThat(raised.get("tipo").asText()).isEqualTo("excesso");
        assertThat(raised.get("mensagem").asText()).isEqualTo(
                "A potência média dos últimos 15 minutos, 6 kW, passa do limite de 5 kW.");
        JsonNode english = TestServer.json(server.getEnglish("/usuario/alerta/excesso/?id=1"));
        assertThat(english.get("mensagem").asText())
                .isEqualTo("Average power over the last 15 minutes, 6 kW, is above the limit of 5 kW.");
        assertThat(english.get("historico").get(0).get("janela").asText())
                .isEqualTo("the 15 minutes up to the latest reading");
        assertThat(raised.get("historico").get(0).get("janela").asText())
                .isEqualTo("os 15 minutos até a leitura mais recente");
        assertThat(server.user(1).get("consumo_excessivo").asBoolean()).isTrue();

        power(21, 50, 1.0);

        JsonNode cleared = state("excesso");
        assertThat(cleared.get("alerta").asBoolean()).isFalse();
        assertThat(cleared.get("desde").isNull()).isTrue();
        assertThat(cleared.get("historico")).hasSize(1);
        JsonNode event = cleared.get("historico").get(0);
        assertThat(event.get("motivo").asText()).isEqualTo("potencia_15min");
        assertThat(event.get("valor").decimalValue()).isEqualByComparingTo("6.000");
        assertThat(event.get("limite").decimalValue()).isEqualByComparingTo("5");
        assertThat(event.get("linha_base").isNull()).as("a fixed limit has no baseline").isTrue();
        assertThat(OffsetDateTime.parse(event.get("inicio").asText()).toInstant().toEpochMilli())
                .as("raised once 15 minutes were known").isEqualTo(T0 + 15 * MINUTE);
        assertThat(OffsetDateTime.parse(event.get("fim").asText()).toInstant().toEpochMilli())
                .as("cleared when the 15-minute average fell to 5 kW").isEqualTo(T0 + 23 * MINUTE);
        assertThat(server.user(1).get("consumo_excessivo").asBoolean()).isFalse();
        assertThat(state("variacao").get("alerta").asBoolean()).isFalse();
    }

    @Test
    void suddenChangeAgainstTheHourBeforeIsAVariation() throws Exception {
        start();
        power(0, 65, 1.0);
        assertThat(state("variacao").get("alerta").asBoolean()).isFalse();

        power(66, 70, 3.0);

        JsonNode variation = state("variacao");
        assertThat(variation.get("alerta").asBoolean()).isTrue();
        assertThat(variation.get("historico").get(0).get("motivo").asText()).isEqualTo("potencia_5min_vs_hora");
        JsonNode event = variation.get("historico").get(0);
        assertThat(event.get("linha_base").decimalValue()).as("the hour before").isEqualByComparingTo("1");
        assertThat(event.get("limite").decimalValue()).as("the hour before + max(100 %, 1 kW)")
                .isEqualByComparingTo("2");
        java.math.BigDecimal value = event.get("valor").decimalValue();
        assertThat(value).as("the last 5 minutes when it fired: above the limit, at most the new load")
                .isGreaterThan(new java.math.BigDecimal("2")).isLessThanOrEqualTo(new java.math.BigDecimal("3"));
        assertThat(event.get("mensagem").asText())
                .contains(value.stripTrailingZeros().toPlainString().replace('.', ',') + " kW", "1 kW", "limite 2 kW");
        assertThat(server.user(1).get("grande_variacao").asBoolean()).isTrue();
        JsonNode all = TestServer.json(server.get("/usuario/alertas/?id=1"));
        assertThat(all.get("ativos")).extracting(a -> a.get("tipo").asText()).containsExactly("variacao");

        power(71, 80, 1.0); // back to the usual load: the last 5 minutes match the hour before again

        JsonNode cleared = state("variacao");
        assertThat(cleared.get("alerta").asBoolean()).isFalse();
        assertThat(cleared.get("historico").get(0).get("fim").isNull()).isFalse();
        assertThat(server.user(1).get("grande_variacao").asBoolean()).isFalse();
    }

    @Test
    void openCycleAboveTheLastInvoicesRaisesVariationThenExcess() throws Exception {
        start("--closing-day", "10");
        long jan10 = OffsetDateTime.parse("2026-01-10T00:00:00-03:00").toInstant().toEpochMilli();
        long day = 86_400_000L;
        server.send(1, new Reading(0, jan10 - 31 * day, 0, 100), new Reading(1, jan10, 100_000_000, 135));
        server.awaitHandled(2);

        server.send(1, new Reading(2, jan10 + 10 * day, 310_000_000, 875)); // open cycle: 210 kWh > 100 + 100
        server.awaitHandled(3);
        assertThat(state("variacao").get("historico").get(0).get("motivo").asText()).isEqualTo("ciclo_acima_do_anterior");
        assertThat(state("excesso").get("alerta").asBoolean()).isFalse();

        server.send(1, new Reading(3, jan10 + 15 * day, 400_000_000, 750)); // 300 kWh > mean 100 + 150
        server.awaitHandled(4);
        JsonNode excess = state("excesso");
        assertThat(excess.get("alerta").asBoolean()).isTrue();
        assertThat(excess.get("historico").get(0).get("motivo").asText()).isEqualTo("ciclo_acima_da_media");
        assertThat(excess.get("historico").get(0).get("valor").decimalValue()).isEqualByComparingTo("300.000");
        assertThat(excess.get("historico").get(0).get("limite").decimalValue()).isEqualByComparingTo("250.000");
    }

    @Test
    void silentMeterIsOfflineWithAnAlertUntilHeardAgain() throws Exception {
        start();
        long now = TestServer.NOW;
        server.send(1, new Reading(0, now, 10, 1));
        server.awaitHandled(1);
        assertThat(server.user(1).get("online").asBoolean()).isTrue();
        server.testClock().advance(Duration.ofSeconds(61)); // past --offline-after (1 min)

        await().atMost(Duration.ofSeconds(10)).until(() -> TestServer.json(server.get("/usuario/alertas/?id=1"))
                .get("ativos").size() == 1);
        assertThat(TestServer.json(server.get("/usuario/alertas/?id=1")).get("ativos").get(0).get("tipo").asText())
                .isEqualTo("sem_sinal");
        assertThat(server.user(1).get("online").asBoolean()).isFalse();

        server.send(1, new Reading(1, now + 1000, 20, 1));
        server.awaitHandled(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> TestServer.json(server.get("/usuario/alertas/?id=1"))
                .get("ativos").isEmpty());
        assertThat(server.user(1).get("online").asBoolean()).isTrue();
    }

    @Test
    void aMeterThatReportsEveryFiveMinutesIsNotOfflineAfterOne() throws Exception {
        start(); // --offline-after is 1 minute
        long now = TestServer.NOW;
        for (int i = 0; i < 4; i++) { // three gaps of 5 minutes: its usual interval
            if (i > 0) {
                server.testClock().advance(Duration.ofMinutes(5));
            }
            server.send(1, new Reading(i, now + i * 5 * MINUTE, 10L * (i + 1), 1));
            server.awaitHandled(i + 1);
        }
        server.testClock().advance(Duration.ofMinutes(14)); // under 3 × 5 minutes
        server.awaitTicks(2);
        assertThat(server.user(1).get("online").asBoolean()).isTrue();
        assertThat(TestServer.json(server.get("/usuario/alertas/?id=1")).get("ativos")).isEmpty();

        server.testClock().advance(Duration.ofMinutes(2)); // 16 minutes: past 3 × its usual interval
        await().atMost(Duration.ofSeconds(10)).until(() -> TestServer.json(server.get("/usuario/alertas/?id=1"))
                .get("ativos").size() == 1);
        assertThat(server.user(1).get("online").asBoolean()).isFalse();
        JsonNode event = TestServer.json(server.get("/usuario/alertas/?id=1")).get("ativos").get(0);
        assertThat(event.get("tipo").asText()).isEqualTo("sem_sinal");
        assertThat(event.get("linha_base").decimalValue()).as("its usual interval, s").isEqualByComparingTo("300");
        assertThat(event.get("limite").decimalValue()).as("3 × 300 s").isEqualByComparingTo("900");
        assertThat(event.get("mensagem").asText()).contains("intervalo habitual de 300 s");
    }
}
