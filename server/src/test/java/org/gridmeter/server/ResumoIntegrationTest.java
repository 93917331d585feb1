package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.gridmeter.protocol.Integrity;
import org.gridmeter.protocol.Reading;
import org.gridmeter.protocol.ReadingBatch;
import org.gridmeter.protocol.V1Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /tempo-real/resumo}: the fleet's counters, one event a second, whatever the traffic. */
class ResumoIntegrationTest {

    @TempDir
    Path dir;

    private static List<JsonNode> summaries(List<String> lines) {
        return lines.stream().filter(l -> l.startsWith("data: ")).map(l -> TestServer.json(l.substring(6))).toList();
    }

    @Test
    void countsTheFleetsDatagramsReadingsAndMetersOnceASecond() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            for (long id = 1; id <= 3; id++) {
                server.register(id);
            }
            List<String> lines = server.listen("/tempo-real/resumo");
            await().until(() -> lines.contains("event: resumo"));
            assertThat(lines.get(0)).isEqualTo("status 200 text/event-stream; charset=utf-8");

            for (int i = 0; i < 3; i++) {
                server.send(1, new Reading(i, TestServer.NOW - 60_000 + i * 10_000, 1000L * i, 400));
            }
            byte[] corrupted = V1Codec.encodeReadings(new ReadingBatch(2, List.of(new Reading(0, TestServer.NOW - 5_000,
                    1, 1)), Integrity.CRC32C, false), null);
            corrupted[corrupted.length - 1] ^= 0x55;
            server.send(corrupted);
            server.awaitHandled(3);

            await().atMost(Duration.ofSeconds(5)).until(() -> summaries(lines).stream().anyMatch(s ->
                    s.get("leituras_armazenadas").asLong() == 3 && s.get("datagramas").get("recebidos").asLong() == 4));
            JsonNode last = summaries(lines).stream().filter(s -> s.get("leituras_armazenadas").asLong() == 3)
                    .reduce((a, b) -> b).orElseThrow();
            assertThat(last.get("datagramas").get("aceitos").asLong()).isEqualTo(3);
            assertThat(last.get("datagramas").get("rejeitados").get("bad_crc").asLong()).isEqualTo(1);
            assertThat(last.get("datagramas").get("rejeitados").get("queue_full").asLong()).isZero();
            assertThat(last.get("medidores_online").asInt()).isEqualTo(1);
            assertThat(last.get("medidores_offline").asInt()).as("users 2 and 3 were never heard").isEqualTo(2);
            assertThat(last.get("latencia_commit_ms").get("p99").decimalValue())
                    .isGreaterThanOrEqualTo(last.get("latencia_commit_ms").get("p50").decimalValue());
            assertThat(last.get("por_segundo").has("datagramas_recebidos")).isTrue();
            assertThat(last.get("descartes_kernel").asLong()).isZero();

            int seen = summaries(lines).size();
            await().atMost(Duration.ofSeconds(5)).until(() -> summaries(lines).size() > seen);
            assertThat(summaries(lines)).as("the same totals again with no traffic, and no datagram rate")
                    .last().satisfies(s -> {
                        assertThat(s.get("datagramas").get("recebidos").asLong()).isEqualTo(4);
                        assertThat(s.get("por_segundo").get("datagramas_rejeitados").size()).isZero();
                    });
        }
    }
}
