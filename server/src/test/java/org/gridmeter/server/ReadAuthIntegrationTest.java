package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --read-auth}: each user's routes need that user's read token or the admin token, the
 * fleet-wide ones the admin token; tokens are issued once, replaced on demand, and kept only as
 * hashes. Without the flag, reading stays open.
 */
class ReadAuthIntegrationTest {

    @TempDir
    Path dir;

    private static final List<String> USER_ROUTES = List.of("/usuario/?id=1", "/usuario/consumo/?id=1",
            "/usuario/fatura/?id=1", "/usuario/alertas/?id=1", "/usuario/rede/?id=1",
            "/usuario/consumo/periodo/?id=1&periodo=hoje", "/usuario/alerta/excesso/?id=1");
    private static final List<String> FLEET_ROUTES = List.of("/usuario/", "/usuario/alertas/", "/painel/medidores/",
            "/debug/datagramas", "/metrics");

    private static String register(TestServer server, long id) {
        HttpResponse<String> r = server.post("/usuario/cadastro/", "{\"id\": " + id + ", \"nome\": \"u" + id
                + "\", \"endereco\": \"rua\"}", TestServer.TOKEN);
        assertThat(r.statusCode()).isEqualTo(201);
        return TestServer.json(r).get("token_leitura").asText();
    }

    private static HttpResponse<String> get(TestServer server, String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path)).GET();
        return server.send(token == null ? b : b.header("Authorization", "Bearer " + token));
    }

    @Test
    void eachUsersDataNeedsItsOwnTokenAndTheFleetTheAdmins() throws Exception {
        try (TestServer server = TestServer.start(dir, "--read-auth")) {
            String ana = register(server, 1);
            String bruno = register(server, 2);
            assertThat(ana).hasSizeGreaterThanOrEqualTo(40).isNotEqualTo(bruno);

            for (String route : USER_ROUTES) {
                HttpResponse<String> none = get(server, route, null);
                assertThat(none.statusCode()).as(route).isEqualTo(401);
                assertThat(TestServer.json(none).get("erro").asText()).isEqualTo("nao_autenticado");
                assertThat(TestServer.json(none).get("mensagem").asText()).contains("token_leitura");
                assertThat(get(server, route, bruno).statusCode()).as(route + " with another user's token")
                        .isEqualTo(403);
                assertThat(get(server, route, "nonsense").statusCode()).isEqualTo(403);
                assertThat(get(server, route, ana).statusCode()).as(route).isEqualTo(200);
                assertThat(get(server, route, TestServer.TOKEN).statusCode()).as(route).isEqualTo(200);
            }
            for (String route : FLEET_ROUTES) {
                assertThat(get(server, route, null).statusCode()).as(route).isEqualTo(401);
                assertThat(get(server, route, ana).statusCode()).as(route + " with a user's token").isEqualTo(403);
                assertThat(get(server, route, TestServer.TOKEN).statusCode()).as(route).isEqualTo(200);
            }
            assertThat(get(server, "/tarifa", null).statusCode()).as("the tariff is public").isEqualTo(200);
            assertThat(get(server, "/", null).statusCode()).as("the dashboard's page itself").isEqualTo(200);

            // event streams: the token as ?token= (a browser's EventSource cannot send headers)
            List<String> own = server.listen("/usuario/tempo-real/?id=1&token=" + ana);
            List<String> other = server.listen("/usuario/tempo-real/?id=1&token=" + bruno);
            List<String> fleet = server.listen("/tempo-real/resumo?token=" + ana);
            List<String> admin = server.listen("/tempo-real/resumo?token=" + TestServer.TOKEN);
            await().until(() -> !own.isEmpty() && !other.isEmpty() && !fleet.isEmpty() && !admin.isEmpty());
            assertThat(own.get(0)).startsWith("status 200");
            assertThat(other.get(0)).startsWith("status 403");
            assertThat(fleet.get(0)).startsWith("status 403");
            assertThat(admin.get(0)).startsWith("status 200");
        }
    }

    @Test
    void aNewTokenRevokesTheOldAndOnlyHashesAreStored() throws Exception {
        String old;
        String fresh;
        try (TestServer server = TestServer.start(dir, "--read-auth")) {
            old = register(server, 1);
            assertThat(server.post("/usuario/token/?id=1", "", null).statusCode()).isEqualTo(401);
            assertThat(server.post("/usuario/token/?id=1", "", old).statusCode()).as("a user cannot mint tokens")
                    .isEqualTo(403);
            HttpResponse<String> issued = server.post("/usuario/token/?id=1", "", TestServer.TOKEN);
            assertThat(issued.statusCode()).isEqualTo(200);
            fresh = TestServer.json(issued).get("token_leitura").asText();
            assertThat(fresh).isNotEqualTo(old);
            assertThat(get(server, "/usuario/?id=1", old).statusCode()).isEqualTo(403);
            assertThat(get(server, "/usuario/?id=1", fresh).statusCode()).isEqualTo(200);
            assertThat(server.post("/usuario/token/?id=9", "", TestServer.TOKEN).statusCode()).isEqualTo(404);
            JsonNode user = TestServer.json(get(server, "/usuario/?id=1", fresh));
            assertThat(user.has("token_leitura")).as("shown only when issued").isFalse();
        }
        String bytes = TestStores.storedUsersText(dir);
        assertThat(bytes).as("the users are in what is read").contains("u1").doesNotContain(old).doesNotContain(fresh);
        try (TestServer again = TestServer.start(dir, "--read-auth")) {
            assertThat(get(again, "/usuario/?id=1", fresh).statusCode()).as("after a restart").isEqualTo(200);
        }
    }

    @Test
    void withoutTheFlagReadingStaysOpenAndChangesStillNeedTheAdmin() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            register(server, 1);
            for (String route : USER_ROUTES) {
                assertThat(get(server, route, null).statusCode()).as(route).isEqualTo(200);
            }
            for (String route : FLEET_ROUTES) {
                assertThat(get(server, route, null).statusCode()).as(route).isEqualTo(200);
            }
            assertThat(server.post("/usuario/token/?id=1", "", null).statusCode()).isEqualTo(401);
        }
    }
}
