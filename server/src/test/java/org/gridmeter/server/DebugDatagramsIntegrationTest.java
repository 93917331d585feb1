package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.gridmeter.protocol.Integrity;
import org.gridmeter.protocol.LegacyDatagramCodec;
import org.gridmeter.protocol.Reading;
import org.gridmeter.protocol.ReadingBatch;
import org.gridmeter.protocol.V1Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /debug/datagramas}: the last datagrams, their bytes, and what the server made of them. */
class DebugDatagramsIntegrationTest {

    @TempDir
    Path dir;

    @Test
    void showsEachDatagramsBytesAndItsFieldsOrWhyItWasRefused() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            server.register(7);
            byte[] good = V1Codec.encodeReadings(new ReadingBatch(7, List.of(new Reading(41, TestServer.NOW - 60_000,
                    1_234_567, 800)), Integrity.CRC32C, false), null);
            byte[] corrupted = good.clone();
            corrupted[20] ^= 0x01; // a bit flipped in transit: the CRC no longer matches
            byte[] legacy = LegacyDatagramCodec.encode(8, TestServer.NOW / 1000 - 30, 12.5f);
            server.send(good);
            server.send(corrupted);
            server.send(legacy);
            await().until(() -> TestServer.json(server.get("/debug/datagramas")).get("datagramas").size() == 3);

            JsonNode body = TestServer.json(server.get("/debug/datagramas"));
            assertThat(body.get("recebidos_desde_o_inicio").asLong()).isEqualTo(3);
            JsonNode newest = body.get("datagramas").get(0);
            JsonNode refused = body.get("datagramas").get(1);
            JsonNode accepted = body.get("datagramas").get(2);

            assertThat(accepted.get("resultado").asText()).isEqualTo("aceito");
            assertThat(accepted.get("motivo").isNull()).isTrue();
            assertThat(accepted.get("tamanho").asInt()).isEqualTo(good.length);
            assertThat(accepted.get("hex").asText()).isEqualTo(HexFormat.ofDelimiter(" ").formatHex(good))
                    .startsWith("47 4d 01 01");
            assertThat(accepted.get("remetente").asText()).startsWith("127.0.0.1:");
            JsonNode fields = accepted.get("decodificado");
            assertThat(fields.get("formato").asText()).isEqualTo("v1");
            assertThat(fields.get("medidor").asLong()).isEqualTo(7);
            assertThat(fields.get("integridade").asText()).isEqualTo("crc32c");
            assertThat(fields.get("leituras").get(0).get("sequencia").asLong()).isEqualTo(41);
            assertThat(fields.get("leituras").get(0).get("kwh").decimalValue()).isEqualByComparingTo("1.234567");
            assertThat(fields.get("leituras").get(0).get("potencia_w").asInt()).isEqualTo(800);

            assertThat(refused.get("resultado").asText()).isEqualTo("rejeitado");
            assertThat(refused.get("motivo").asText()).isEqualTo("bad_crc");
            assertThat(refused.get("explicacao").asText()).startsWith("O CRC-32C no fim não confere");
            assertThat(refused.get("decodificado").isNull()).isTrue();
            assertThat(refused.get("hex").asText()).isEqualTo(HexFormat.ofDelimiter(" ").formatHex(corrupted));

            assertThat(newest.get("decodificado").get("formato").asText()).isEqualTo("legado");
            assertThat(newest.get("decodificado").get("leituras").get(0).get("sequencia").isNull()).isTrue();
            assertThat(newest.get("tamanho").asInt()).isEqualTo(36);

            JsonNode english = TestServer.json(server.getEnglish("/debug/datagramas")).get("datagramas").get(1);
            assertThat(english.get("explicacao").asText()).startsWith("The CRC-32C trailer does not match");
        }
    }

    @Test
    void keepsTheLast200NewestFirst() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            for (int i = 0; i < 250; i++) {
                server.send(V1Codec.encodeReadings(new ReadingBatch(1000 + i, List.of(new Reading(i,
                        TestServer.NOW - 60_000, i, 0)), Integrity.CRC32C, false), null));
            }
            await().until(() -> TestServer.json(server.get("/debug/datagramas")).get("recebidos_desde_o_inicio")
                    .asLong() == 250);

            JsonNode list = TestServer.json(server.get("/debug/datagramas")).get("datagramas");
            assertThat(list).hasSize(200);
            assertThat(list.get(0).get("decodificado").get("medidor").asLong()).isEqualTo(1249);
            assertThat(list.get(199).get("decodificado").get("medidor").asLong()).isEqualTo(1050);
        }
    }
}
