package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import org.gridmeter.protocol.Ack;
import org.gridmeter.protocol.Reading;
import org.gridmeter.protocol.RejectReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code PUT /usuario/chave/}: a meter's key is changed while the old one is still accepted for
 * {@code --key-grace}, each datagram's ACK signed with the key it came with; keys appear only in the
 * answer that created them, and the files that hold secrets are the owner's only.
 */
class MeterKeyIntegrationTest {

    private static final String OLD = "000102030405060708090a0b0c0d0e0f";
    private static final String NEW = "f0e0d0c0b0a090807060504030201000f0e0d0c0b0a09080";

    @TempDir
    Path dir;

    private static HttpResponse<String> put(TestServer server, String path, String body, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path)).PUT(HttpRequest.BodyPublishers.ofString(body));
        return server.send(token == null ? b : b.header("Authorization", "Bearer " + token));
    }

    private static Reading at(long seq, long secondsAfterStart) {
        return new Reading(seq, TestServer.NOW + secondsAfterStart * 1000, seq * 1000, 500);
    }

    @Test
    void theOldKeyWorksDuringTheGraceThenOnlyTheNewOne() throws Exception {
        try (TestServer server = TestServer.start(dir, "--key-grace", "10m");
                TestMeter oldMeter = new TestMeter(server, HexFormat.of().parseHex(OLD));
                TestMeter newMeter = new TestMeter(server, HexFormat.of().parseHex(NEW))) {
            assertThat(server.post("/usuario/cadastro/", "{\"id\": 1, \"nome\": \"ana\", \"endereco\": \"rua\", "
                    + "\"chave_medidor\": \"" + OLD + "\"}", TestServer.TOKEN).statusCode()).isEqualTo(201);
            oldMeter.send(1, at(0, -60));
            assertThat(oldMeter.ack().ranges().get(0).first()).isZero();

            assertThat(put(server, "/usuario/chave/?id=1", "{\"chave_medidor\": \"" + NEW + "\"}", null).statusCode())
                    .isEqualTo(401);
            HttpResponse<String> changed = put(server, "/usuario/chave/?id=1", "{\"chave_medidor\": \"" + NEW + "\"}",
                    TestServer.TOKEN);
            assertThat(changed.statusCode()).isEqualTo(200);
            JsonNode answer = TestServer.json(changed);
            assertThat(answer.get("chave_medidor").asText()).isEqualTo(NEW);
            assertThat(answer.get("chave_anterior_aceita_ate").asText()).isEqualTo("2026-11-02T12:10:00Z");

            oldMeter.send(1, at(1, -50)); // not switched yet: still accepted, and answered in its own key
            Ack old = oldMeter.ack();
            assertThat(old.ranges().get(0).first()).isEqualTo(1);
            newMeter.send(1, at(2, -40)); // switched
            assertThat(newMeter.ack().ranges().get(0).first()).isEqualTo(2);

            server.testClock().advance(Duration.ofMinutes(10));
            long badTags = server.server.metrics().rejectedCount(RejectReason.BAD_TAG.label());
            oldMeter.send(1, at(3, -30));
            newMeter.send(1, at(4, -20));
            assertThat(newMeter.ack().ranges().get(0).first()).isEqualTo(4);
            await().until(() -> server.server.metrics().rejectedCount(RejectReason.BAD_TAG.label()) == badTags + 1);

            for (String route : new String[] {"/usuario/?id=1", "/usuario/", "/debug/datagramas", "/metrics"}) {
                assertThat(server.get(route).body()).as(route).doesNotContain(OLD).doesNotContain(NEW);
            }
            assertThat(put(server, "/usuario/chave/?id=9", "{\"chave_medidor\": \"gerar\"}", TestServer.TOKEN)
                    .statusCode()).isEqualTo(404);
            HttpResponse<String> bad = put(server, "/usuario/chave/?id=1", "{\"chave_medidor\": \"xyz\"}",
                    TestServer.TOKEN);
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(TestServer.json(bad).get("mensagem").asText()).contains("chave_medidor");
            HttpResponse<String> generated = put(server, "/usuario/chave/?id=1", "{\"chave_medidor\": \"gerar\"}",
                    TestServer.TOKEN);
            assertThat(TestServer.json(generated).get("chave_medidor").asText()).matches("[0-9a-f]{64}");
        }
        for (String file : new String[] {"gridmeter.db", "gridmeter.db-wal", "admin-token"}) {
            Path path = dir.resolve(file);
            if (Files.exists(path)) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).as(file)
                        .isEqualTo("rw-------");
            }
        }
        if (!TestStores.postgresql()) { // PostgreSQL keeps its files to itself; SQLite's are this server's to guard
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("gridmeter.db"))))
                    .isEqualTo("rw-------");
        }
    }
}
