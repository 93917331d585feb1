package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.gridmeter.protocol.Reading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the server reports is committed, and every route shows the same state.
 * A reading is sent, the test waits until one route shows it, then every other route must show it
 * too, at once: the user, its readings, its 15-minute rollups and its open invoice. The writer is
 * paced so that no commit is a checkpoint unless it must be (the routes then read the reading log).
 */
class CommittedViewIntegrationTest {

    private static final long T0 = Instant.parse("2026-06-15T12:00:00Z").toEpochMilli();
    private static final int READINGS = 300;

    @TempDir
    Path dir;

    /** In time order: 5 s apart, two counter resets (sequence restarts). */
    private static List<Reading> readings() {
        List<Reading> readings = new ArrayList<>();
        long energy = 0;
        long seq = 0;
        for (int k = 0; k < READINGS; k++) {
            if (k == 100 || k == 200) {
                energy = 0;
                seq = 0;
            }
            energy += 1_000 + k % 7 * 100;
            readings.add(new Reading(seq++, T0 + k * 5_000L, energy, 900));
        }
        return readings;
    }

    /** Every tenth reading (the one at 5, 15, ...) arrives late, after the three that follow it. */
    private static List<Reading> arrival(List<Reading> inOrder) {
        List<Reading> arrival = new ArrayList<>();
        Reading held = null;
        for (int k = 0; k < inOrder.size(); k++) {
            if (k % 10 == 5) {
                held = inOrder.get(k);
                continue;
            }
            arrival.add(inOrder.get(k));
            if (held != null && k % 10 == 8) {
                arrival.add(held);
                held = null;
            }
        }
        return arrival;
    }

    @Test
    void whatOneRouteShowsEveryOtherRouteShowsToo() throws Exception {
        ServerConfig.Tuning noCheckpointUnlessNeeded = ServerConfig.Tuning.DEFAULTS
                .withCheckpointInterval(Duration.ofHours(1)).withSmallCheckpointMeters(0);
        try (TestServer server = TestServer.start(dir, TestClock.at(T0 + 3_600_000L), noCheckpointUnlessNeeded,
                "--zone", "UTC", "--commit-interval", "10ms")) {
            server.register(1);
            Set<Long> sent = new HashSet<>();
            int n = 0;
            for (Reading r : arrival(readings())) {
                server.send(1, r);
                sent.add(r.timestampMillis());
                int stored = ++n;
                await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2))
                        .until(() -> readingsStored(server) == stored);

                JsonNode user = server.user(1);
                List<JsonNode> listed = listed(server);
                BigDecimal total = user.get("consumo_total_kwh").decimalValue();
                assertThat(listed).as("reading %d: every reading shown as stored is listed", n).hasSize(stored);
                assertThat(listed.stream().map(j -> j.get("timestamp").asText()).toList())
                        .contains(user.get("ultima_leitura").get("timestamp").asText());
                assertThat(listed.stream().map(j -> j.get("consumo_kwh").decimalValue()).reduce(BigDecimal.ZERO,
                        BigDecimal::add)).as("reading %d: the listed consumption adds up to the total", n)
                        .isEqualByComparingTo(total);
                JsonNode day = TestServer.json(server.get("/usuario/consumo/intervalo/?id=1&inicio=2026-06-15"
                        + "&fim=2026-06-15&passo=dia"));
                assertThat(day.get("total_kwh").decimalValue()).as("reading %d: the rollups", n)
                        .isEqualByComparingTo(total);
                JsonNode open = TestServer.json(server.get("/usuario/fatura/?id=1")).get("faturas").get(0);
                assertThat(open.get("consumo").decimalValue().add(open.get("ajuste_kwh").decimalValue()))
                        .as("reading %d: the open invoice", n).isEqualByComparingTo(total);
            }
            assertThat(sent).hasSize(READINGS);
            assertThat(server.server.metrics().readingsLate.sum()).isEqualTo(READINGS / 10);
        }
    }

    private static long readingsStored(TestServer server) {
        return TestServer.json(server.get("/saude")).get("leituras_armazenadas").asLong();
    }

    private static List<JsonNode> listed(TestServer server) {
        List<JsonNode> all = new ArrayList<>();
        TestServer.json(server.get("/usuario/consumo/?id=1&limite=10000")).get("consumo").forEach(all::add);
        return all;
    }
}
