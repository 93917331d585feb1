package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP limits and connection behaviour documented in docs/api.md (errors and limits), over raw sockets. */
class HttpLimitsTest {

    @TempDir
    Path dir;
    private TestServer server;
    private InetSocketAddress address;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(dir, "--max-connections", "64");
        address = server.server.httpAddress();
        server.register(1);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void requestLineOver4KiBIs414() throws Exception {
        try (RawHttp c = new RawHttp(address)) {
            RawHttp.Reply r = c.write(RawHttp.get("/usuario/?id=1&x=" + "a".repeat(5000))).read();

            assertThat(r.status()).isEqualTo(414);
            assertThat(r.body()).contains("\"erro\":\"uri_longa_demais\"");
        }
    }

    @Test
    void headersOver8KiBAre431() throws Exception {
        try (RawHttp c = new RawHttp(address)) {
            RawHttp.Reply r = c.write("GET /usuario/ HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(9000) + "\r\n\r\n").read();

            assertThat(r.status()).isEqualTo(431);
            assertThat(r.body()).contains("cabecalhos_grandes_demais");
        }
    }

    @Test
    void bodyOver64KiBIs413AndNothingIsStored() throws Exception {
        String body = "{\"id\": 2, \"nome\": \"" + "n".repeat(70_000) + "\", \"endereco\": \"e\"}";
        try (RawHttp c = new RawHttp(address)) {
            RawHttp.Reply r = c.write("POST /usuario/cadastro/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                    + TestServer.TOKEN + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                    + "\r\n\r\n" + body).read();

            assertThat(r.status()).isEqualTo(413);
            assertThat(r.body()).contains("corpo_grande_demais");
        }
        assertThat(server.get("/usuario/?id=2").statusCode()).isEqualTo(404);
    }

    @Test
    void malformedUriAndGarbageGet400NeverA500() throws Exception {
        try (RawHttp c = new RawHttp(address)) {
            RawHttp.Reply r = c.write(RawHttp.get("/usuario/?id=%zz")).read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.body()).contains("requisicao_invalida");
        }
        try (RawHttp c = new RawHttp(address)) {
            RawHttp.Reply r = c.write("\u0001\u0002 nonsense\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
        }
        assertThat(server.get("/usuario/?id=1").statusCode()).isEqualTo(200);
    }

    @Test
    void keepAliveAnswersPipelinedRequestsInOrder() throws Exception {
        try (RawHttp c = new RawHttp(address)) {
            c.write(RawHttp.get("/usuario/consumo/?id=1") + RawHttp.get("/usuario/?id=1") + RawHttp.get("/nada")
                    + RawHttp.get("/saude"));

            assertThat(c.read().body()).startsWith("{\"id\":1,\"consumo\"");
            assertThat(c.read().body()).contains("\"nome\"");
            assertThat(c.read().status()).isEqualTo(404);
            RawHttp.Reply last = c.read();
            assertThat(last.body()).contains("\"status\":\"ok\"");
            assertThat(last.headers()).containsEntry("connection", "keep-alive")
                    .containsKey("content-length");
        }
    }

    @Test
    void manyConcurrentKeepAliveClientsAllGetAnswers() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<Future<Integer>> clients = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                clients.add(pool.submit(() -> {
                    int ok = 0;
                    try (RawHttp c = new RawHttp(address)) {
                        for (int j = 0; j < 100; j++) {
                            String target = j % 2 == 0 ? "/usuario/?id=1" : "/usuario/consumo/?id=1";
                            if (c.write(RawHttp.get(target)).read().status() == 200) {
                                ok++;
                            }
                        }
                    }
                    return ok;
                }));
            }
            for (Future<Integer> client : clients) {
                assertThat(client.get()).isEqualTo(100);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void slowClientDoesNotHoldUpOthers() throws Exception {
        try (RawHttp slow = new RawHttp(address)) {
            slow.write("GET /usuario/?id=1 HTTP/1.1\r\nHo"); // and then nothing, for now
            for (int i = 0; i < 20; i++) {
                assertThat(server.get("/usuario/?id=1").statusCode()).as("answered while the slow request is pending")
                        .isEqualTo(200);
            }
            RawHttp.Reply late = slow.write("st: x\r\n\r\n").read();
            assertThat(late.status()).isEqualTo(200);
        }
    }

    @Test
    void idleConnectionIsClosedAfterTheTimeout(@TempDir Path other) throws Exception {
        try (TestServer impatient = TestServer.start(other, "--idle-timeout", "1s");
                RawHttp idle = new RawHttp(impatient.server.httpAddress())) {
            assertThat(idle.write(RawHttp.get("/saude")).read().status()).isEqualTo(200);
            long started = System.nanoTime();

            assertThat(idle.closedByServer()).isTrue();
            assertThat((System.nanoTime() - started) / 1_000_000).as("not before the timeout").isGreaterThanOrEqualTo(900L);
        }
    }

    @Test
    void connectionsBeyondTheCapGet503(@TempDir Path other) throws Exception {
        try (TestServer capped = TestServer.start(other, "--max-connections", "2");
                RawHttp first = new RawHttp(capped.server.httpAddress());
                RawHttp second = new RawHttp(capped.server.httpAddress())) {
            assertThat(first.write(RawHttp.get("/saude")).read().status()).isEqualTo(200);
            assertThat(second.write(RawHttp.get("/saude")).read().status()).isEqualTo(200);
            try (RawHttp third = new RawHttp(capped.server.httpAddress())) {
                RawHttp.Reply refused = third.read();
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.body()).contains("muitas_conexoes");
            }
            assertThat(first.write(RawHttp.get("/saude")).read().status()).as("those in keep working").isEqualTo(200);
        }
    }
}
