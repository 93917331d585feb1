package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.gridmeter.protocol.Reading;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /usuario/tempo-real}: readings, alerts and invoices arrive on the event stream as they are committed. */
class TempoRealIntegrationTest {

    @TempDir
    Path dir;
    private TestServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    /** Opens the stream and collects its lines on another thread. */
    private List<String> listen(String query) {
        List<String> lines = server.listen("/usuario/tempo-real/" + query);
        await().atMost(Duration.ofSeconds(5)).until(() -> lines.stream().anyMatch(l -> l.startsWith(": gridmeter")));
        return lines;
    }

    @Test
    void readingsAlertsAndInvoicesArriveAsTheyHappen() throws Exception {
        server = TestServer.start(dir, "--zone", "America/Bahia", "--closing-day", "10");
        server.register(1);
        server.register(2);
        List<String> mine = listen("?id=1");
        List<String> everyone = listen("");
        assertThat(mine.get(0)).isEqualTo("status 200 text/event-stream; charset=utf-8");

        // 6 kW from 2026-01-09 23:50 to 2026-01-10 00:20, a reading a minute: the January cycle
        // closes at midnight and the 15-minute power passes 5 kW
        long t0 = OffsetDateTime.parse("2026-01-09T23:50:00-03:00").toInstant().toEpochMilli();
        List<Reading> readings = new ArrayList<>();
        for (int m = 0; m <= 30; m++) {
            readings.add(new Reading(m, t0 + m * 60_000L, m * 100_000L, 6000));
        }
        for (Reading r : readings) {
            server.send(1, r);
        }
        server.send(2, new Reading(0, t0, 5, 1, 7)); // it exports too
        server.awaitHandled(32);

        await().atMost(Duration.ofSeconds(5)).until(() -> mine.contains("event: fatura")
                && mine.contains("event: alerta") && mine.contains("event: leitura"));
        assertThat(mine).anyMatch(l -> l.startsWith("data: {\"id\":1,\"mes\":\"2026-01\""));
        assertThat(mine).anyMatch(l -> l.startsWith("data: {\"id\":1,\"tipo\":\"excesso\",\"alerta\":true,"
                + "\"motivo\":\"potencia_15min\""));
        assertThat(mine).noneMatch(l -> l.startsWith("data: {\"id\":2"));
        await().atMost(Duration.ofSeconds(5)).until(() -> everyone.stream().anyMatch(l -> l.startsWith("data: {\"id\":2")));
        assertThat(everyone).anyMatch(l -> l.startsWith("data: {\"id\":2") && l.contains("\"exportado_kwh\":0.000007")
                && l.contains("\"exportacao_total_kwh\":0.000007"));
    }

    @Test
    void unknownUserIsA404NotAStream() throws Exception {
        server = TestServer.start(dir);
        assertThat(server.get("/usuario/tempo-real/?id=9").statusCode()).isEqualTo(404);
    }
}
