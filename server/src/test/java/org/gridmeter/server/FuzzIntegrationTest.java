package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.gridmeter.protocol.Integrity;
import org.gridmeter.protocol.LegacyDatagramCodec;
import org.gridmeter.protocol.Reading;
import org.gridmeter.protocol.ReadingBatch;
import org.gridmeter.protocol.V1Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of mutated HTTP requests and datagrams (a seeded generator: a failure replays) against
 * the live server: never a 500, never a hang, the server keeps serving, and nothing stored changes
 * (the mutations carry no admin token, and a mutated datagram fails its checksum).
 */
class FuzzIntegrationTest {

    private static final long SEED = 20261202L;
    private static final int REQUESTS = 1500;
    private static final int DATAGRAMS = 5000;

    @TempDir
    Path dir;

    private static final List<String> TEMPLATES = List.of(
            "GET /usuario/?id=1 HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /usuario/consumo/intervalo/?id=1&inicio=2026-11-01&fim=2026-11-02&passo=hora HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /usuario/consumo/horario/?id=1&data=2026-11-02&horario=11 HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /usuario/fatura/?id=1&mes=2026-11 HTTP/1.1\r\nHost: x\r\nAccept-Language: en\r\n\r\n",
            "GET /painel/medidores/?busca=a&ordem=consumo&sentido=desc&pagina=2 HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /usuario/consumo/?id=1&desde=2026-11-02T11:00:00Z&cursor=dDE3 HTTP/1.1\r\nHost: x\r\n\r\n",
            "POST /usuario/cadastro/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 46\r\n\r\n"
                    + "{\"id\": 9, \"nome\": \"vitor\", \"endereco\": \"rua\"}",
            "PUT /tarifa HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n{\"preco_kwh\": 0.9}  ",
            "DELETE /usuario/delete/?id=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\n\r\n",
            "PUT /usuario/chave/?id=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 25\r\n\r\n{\"chave_medidor\":\"gerar\"}");

    @Test
    void mutatedRequestsAndDatagramsNeverBreakTheServerNorChangeWhatItStores() throws Exception {
        Random random = new Random(SEED);
        try (TestServer server = TestServer.start(dir)) {
            server.register(1);
            server.register(2);
            server.sendAll(1, List.of(new Reading(0, TestServer.NOW - 7_200_000, 0, 400),
                    new Reading(1, TestServer.NOW - 3_600_000, 400_000, 400)));
            String before = state(server);

            int answered = 0;
            for (int i = 0; i < REQUESTS; i++) {
                byte[] request = mutate(TEMPLATES.get(random.nextInt(TEMPLATES.size()))
                        .getBytes(StandardCharsets.UTF_8), random);
                int status = exchange(server, request);
                assertThat(status).as("request %d: %s", i, printable(request)).isNotEqualTo(500);
                answered += status > 0 ? 1 : 0;
            }
            assertThat(answered).as("most mutations are still requests that get an answer").isGreaterThan(REQUESTS / 2);

            long acceptedBefore = server.server.metrics().datagramsAccepted.sum();
            byte[] v1 = V1Codec.encodeReadings(new ReadingBatch(2, List.of(new Reading(5, TestServer.NOW - 60_000,
                    1_000, 100), new Reading(6, TestServer.NOW - 30_000, 2_000, 100)), Integrity.CRC32C, true), null);
            byte[] legacy = LegacyDatagramCodec.encode(2, TestServer.NOW / 1000 - 10, 3.5f);
            long receivedBefore = server.server.metrics().datagramsReceived.sum();
            int sent = 0;
            for (int i = 0; i < DATAGRAMS; i++) {
                byte[] datagram = mutate(random.nextBoolean() ? v1 : legacy, random);
                if (datagram.length > 0 && datagram.length <= 60_000) { // an empty one is not delivered; UDP's limit
                    server.send(datagram);
                    sent++;
                }
            }
            long expected = receivedBefore + sent;
            org.awaitility.Awaitility.await().until(() -> server.server.metrics().datagramsReceived.sum() >= expected);
            assertThat(server.server.metrics().datagramsAccepted.sum()).as("no mutated datagram passed its checks")
                    .isEqualTo(acceptedBefore);

            assertThat(server.get("/saude").statusCode()).isEqualTo(200);
            assertThat(state(server)).as("nothing stored changed").isEqualTo(before);
            server.sendAll(2, List.of(new Reading(0, TestServer.NOW - 10_000, 5_000, 100)));
            assertThat(server.user(2).get("consumo_total_kwh").decimalValue()).as("and it goes on storing")
                    .isEqualByComparingTo("0.005");
        }
    }

    /** What the server stores, as its routes show it. */
    private static String state(TestServer server) {
        return server.get("/usuario/").body() + server.get("/usuario/consumo/?id=1").body()
                + server.get("/usuario/fatura/?id=1").body() + server.get("/tarifa").body();
    }

    /** One of: flip bits, overwrite bytes, insert or delete a run, truncate, repeat a run, or stuff junk. */
    private static byte[] mutate(byte[] original, Random random) {
        byte[] b = original.clone();
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            int at = b.length == 0 ? 0 : random.nextInt(b.length);
            switch (random.nextInt(7)) {
                case 0 -> {
                    if (b.length > 0) {
                        b[at] ^= (byte) (1 << random.nextInt(8));
                    }
                }
                case 1 -> {
                    if (b.length > 0) {
                        b[at] = (byte) random.nextInt(256);
                    }
                }
                case 2 -> b = splice(b, at, 0, junk(random, 1 + random.nextInt(40)));
                case 3 -> b = splice(b, at, Math.min(b.length - at, 1 + random.nextInt(20)), new byte[0]);
                case 4 -> b = java.util.Arrays.copyOf(b, at);
                case 5 -> {
                    int len = Math.min(b.length - at, 1 + random.nextInt(10));
                    byte[] run = java.util.Arrays.copyOfRange(b, at, at + len);
                    byte[] many = new byte[run.length * (1 + random.nextInt(200))];
                    for (int i = 0; i < many.length; i++) {
                        many[i] = run[i % run.length];
                    }
                    b = splice(b, at, 0, many);
                }
                default -> b = splice(b, at, 0, List.of("%", "%zz", "\u00ff", "\r\n", "\u0000", "../", "%C0%AF",
                        "\uD800", "'\"<>", "999999999999999999999").get(random.nextInt(10))
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        return b;
    }

    private static byte[] junk(Random random, int n) {
        byte[] j = new byte[n];
        random.nextBytes(j);
        return j;
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, at);
        out.write(insert, 0, insert.length);
        out.write(b, at + remove, b.length - at - remove);
        return out.toByteArray();
    }

    /**
     * Sends one request on its own connection and reads the status of the answer: the status, 0 if
     * the server closed the connection without one (fine for garbage), or fails if nothing came in
     * 5 s (a hang). The connection's write side is closed after the request: a request the mutation
     * cut short ends there instead of waiting for the idle timeout.
     */
    private static int exchange(TestServer server, byte[] request) throws IOException {
        InetSocketAddress address = server.server.httpAddress();
        try (Socket socket = new Socket()) {
            socket.connect(address, 2000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request);
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            byte[] head = in.readNBytes(12);
            if (head.length < 12) {
                return 0;
            }
            String line = new String(head, StandardCharsets.ISO_8859_1);
            assertThat(line).startsWith("HTTP/1.1 ");
            return Integer.parseInt(line.substring(9, 12));
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer in 5 s to " + printable(request), e);
        } catch (java.net.SocketException reset) {
            return 0; // the server closed a connection it would not read further
        }
    }

    private static String printable(byte[] request) {
        String s = new String(request, StandardCharsets.ISO_8859_1).replace("\r", "\\r").replace("\n", "\\n");
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
