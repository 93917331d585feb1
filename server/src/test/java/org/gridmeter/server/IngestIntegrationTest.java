package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.gridmeter.protocol.Ack;
import org.gridmeter.protocol.Integrity;
import org.gridmeter.protocol.LegacyDatagramCodec;
import org.gridmeter.protocol.Reading;
import org.gridmeter.protocol.ReadingBatch;
import org.gridmeter.protocol.V1Codec;
import org.gridmeter.server.metrics.ServerMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Datagrams over real UDP to the real server, checked through its HTTP API and counters. */
class IngestIntegrationTest {

    /** A day before the server's clock, so readings are never in the future. */
    private static final long T0 = TestServer.NOW - 86_400_000L;

    @TempDir
    Path dir;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(dir, "--orphan-limit", "3");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Reading at(long seq, long second, long mwh) {
        return new Reading(seq, T0 + second * 1000, mwh, 600);
    }

    private List<Long> deltas(long id) {
        List<Long> deltas = new ArrayList<>();
        for (JsonNode r : TestServer.json(server.get("/usuario/consumo/?id=" + id)).get("consumo")) {
            deltas.add(r.get("consumo_kwh").decimalValue().movePointRight(6).longValueExact());
        }
        return deltas;
    }

    private long totalMwh(long id) {
        return server.user(id).get("consumo_total_kwh").decimalValue().movePointRight(6).longValueExact();
    }

    @Test
    void version1ReadingIsStoredAndShownOnTheUser() {
        server.register(1);
        server.send(1, at(0, 0, 1_234_567));
        server.awaitHandled(1);

        JsonNode user = server.user(1);
        assertThat(user.get("consumo_total_kwh").decimalValue()).isEqualByComparingTo("1.234567");
        assertThat(user.get("ultima_leitura").get("kwh").decimalValue()).isEqualByComparingTo("1.234567");
        assertThat(user.get("online").asBoolean()).isTrue();
    }

    @Test
    void batchIsStoredWholeAndAcknowledgedOnlyAfterCommit() throws Exception {
        server.register(2);
        byte[] datagram = V1Codec.encodeReadings(new ReadingBatch(2, List.of(at(10, 0, 1000), at(11, 5, 2000),
                at(12, 10, 3500)), Integrity.CRC32C, true), null);
        try (DatagramSocket meter = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            meter.setSoTimeout(5000);
            meter.send(new DatagramPacket(datagram, datagram.length, server.server.udpAddress()));
            DatagramPacket reply = new DatagramPacket(new byte[1500], 1500);
            meter.receive(reply);

            Ack ack = V1Codec.decodeAck(ByteBuffer.wrap(reply.getData(), 0, reply.getLength()), null).orElseThrow();
            assertThat(ack).isEqualTo(new Ack(2, 10, 12));
            assertThat(deltas(2)).as("committed before the ACK: listed at once, no waiting")
                    .containsExactly(1000L, 1000L, 1500L);
        }
    }

    @Test
    void legacyDatagramOfThePythonMeterIsStoredInTenthsOfWattHour(@TempDir Path other) throws Exception {
        // the original meter's datagrams are of 2023-11-14, so the server's clock is set just after them
        try (TestServer legacy = TestServer.start(other, TestClock.at(1_700_000_060_000L))) {
            legacy.register(3);
            // struct.pack("Iqf", 3, 1700000000, 0.0) + md5, from the original meter (see LegacyDatagramCodecTest)
            legacy.send(HexFormat.of().parseHex("030000000000000000f15365000000000000000002cffac30b823e4f9ff975fed4721f22"));
            legacy.send(LegacyDatagramCodec.encode(3, 1_700_000_005L, 12345.6f));
            legacy.awaitHandled(2);

            assertThat(legacy.user(3).get("consumo_total_kwh").decimalValue()).isEqualByComparingTo("1.23456");
            JsonNode second = TestServer.json(legacy.get("/usuario/consumo/?id=3")).get("consumo").get(1);
            assertThat(second.get("potencia_w").asInt()).as("derived from consumption: 1.23456 kWh in 5 s")
                    .isEqualTo(888_883);
        }
    }

    @Test
    void exportedEnergyIsStoredAndShownOnReadingsAndTheUser() {
        server.register(6);
        server.send(6, new Reading(0, T0, 1000, 600, 10_000), new Reading(1, T0 + 5000, 1500, 600, 12_000));
        server.send(6, new Reading(3, T0 + 15_000, 2500, 600, 15_000));
        server.send(6, new Reading(2, T0 + 10_000, 2000, 600, 14_000)); // late
        server.send(6, new Reading(4, T0 + 20_000, 2600, 600, 500)); // the exported register was reset
        server.register(8);
        server.send(8, at(0, 0, 100));
        server.awaitHandled(6);

        assertThat(server.user(6).get("exportacao_total_kwh").decimalValue()).isEqualByComparingTo("0.0155");
        List<String> exported = new ArrayList<>();
        for (JsonNode r : TestServer.json(server.get("/usuario/consumo/?id=6")).get("consumo")) {
            exported.add(r.get("exportado_kwh").decimalValue().stripTrailingZeros().toPlainString());
        }
        assertThat(exported).containsExactly("0.01", "0.012", "0.014", "0.015", "0.0005");
        JsonNode plain = TestServer.json(server.get("/usuario/consumo/?id=8")).get("consumo").get(0);
        assertThat(plain.get("exportado_kwh").isNull()).as("a meter without the register").isTrue();
        assertThat(server.user(8).get("exportacao_total_kwh").decimalValue()).isZero();
    }

    @Test
    void duplicateDatagramChangesNothing() {
        server.register(1);
        server.send(1, at(0, 0, 1000), at(1, 5, 1800));
        server.send(1, at(0, 0, 1000), at(1, 5, 1800));
        server.awaitHandled(4);

        assertThat(totalMwh(1)).isEqualTo(1800);
        assertThat(server.server.metrics().readingsDuplicate.sum()).isEqualTo(2);
    }

    @Test
    void lateReadingIsCountedWhereItBelongs() {
        server.register(1);
        server.send(1, at(0, 0, 1000));
        server.send(1, at(2, 10, 3000));
        server.send(1, at(1, 5, 1400));
        server.awaitHandled(3);

        assertThat(deltas(1)).containsExactly(1000L, 400L, 1600L);
        assertThat(server.server.metrics().readingsLate.sum()).isEqualTo(1);
    }

    @Test
    void counterThatGoesDownRestartedFromZero() {
        server.register(1);
        server.send(1, at(0, 0, 50_000), at(1, 5, 60_000));
        server.send(1, at(2, 10, 300), at(3, 15, 900)); // the original meters zero their counter at closing
        server.awaitHandled(4);

        assertThat(deltas(1)).containsExactly(50_000L, 10_000L, 300L, 600L);
        assertThat(totalMwh(1)).isEqualTo(60_900);
    }

    @Test
    void transientDropIsAGlitchNotASpike() {
        server.register(1);
        server.send(1, at(0, 0, 50_000), at(1, 5, 0), at(2, 10, 50_700));
        server.awaitHandled(3);

        assertThat(deltas(1)).containsExactly(50_000L, 0L, 700L);
        assertThat(totalMwh(1)).isEqualTo(50_700);
    }

    @Test
    void timestampTooFarInTheFutureIsRejectedAndCounted() {
        server.register(1);
        long future = TestServer.NOW + Duration.ofMinutes(10).toMillis();
        server.send(1, new Reading(0, future, 10, 1));
        server.send(1, at(1, 0, 20));
        server.awaitHandled(1);

        ServerMetrics m = server.server.metrics();
        assertThat(m.rejectedCount("future_timestamp")).isEqualTo(1);
        assertThat(totalMwh(1)).isEqualTo(20);
    }

    @Test
    void readingsOfAnUnregisteredMeterBelongToTheUserOnceRegistered() {
        server.send(9, at(0, 0, 4000), at(1, 5, 4500));
        server.awaitHandled(2);
        assertThat(server.get("/usuario/?id=9").statusCode()).isEqualTo(404);

        server.register(9);

        assertThat(totalMwh(9)).isEqualTo(4500);
        assertThat(deltas(9)).containsExactly(4000L, 500L);
    }

    @Test
    void aUserRegisteredWithAKeyAdoptsNoneOfTheUnauthenticatedReadings() throws Exception {
        server.send(12, at(0, 0, 40_000_000), at(1, 5, 42_000_000)); // CRC datagrams, before any user 12
        server.awaitHandled(2);
        String keyHex = "00112233445566778899aabbccddeeff";
        assertThat(server.post("/usuario/cadastro/", "{\"id\": 12, \"nome\": \"a\", \"endereco\": \"b\", "
                + "\"chave_medidor\": \"" + keyHex + "\"}", TestServer.TOKEN).statusCode()).isEqualTo(201);

        assertThat(totalMwh(12)).as("42 kWh of unauthenticated readings are not credited").isZero();
        assertThat(deltas(12)).isEmpty();
        assertThat(server.server.metrics().readingsOrphanDiscarded.sum()).isEqualTo(2);

        try (TestMeter meter = new TestMeter(server, HexFormat.of().parseHex(keyHex))) {
            meter.send(12, at(2, 10, 42_001_000));
            assertThat(meter.ack()).isEqualTo(new Ack(12, 2, 2));
        }
        assertThat(totalMwh(12)).as("counting starts with the first authenticated reading").isEqualTo(42_001_000);
        assertThat(deltas(12)).containsExactly(42_001_000L);
    }

    @Test
    void orphanMetersBeyondTheLimitAreDroppedAndCounted() {
        for (long meter = 11; meter <= 14; meter++) {
            server.send(meter, at(0, 0, 100));
        }
        server.awaitHandled(4);

        assertThat(server.server.metrics().readingsOrphanDropped.sum()).isEqualTo(1);
        assertThat(server.server.metrics().readingsStored.sum()).isEqualTo(3);
    }

    @Test
    void garbageNeverStopsTheServerAndEveryDatagramIsAccountedFor() {
        server.register(1);
        Random random = new Random(42);
        for (int i = 0; i < 5_000; i++) {
            byte[] garbage = new byte[random.nextInt(1500)];
            random.nextBytes(garbage);
            if (i % 3 == 0 && garbage.length > 4) {
                garbage[0] = 'G';
                garbage[1] = 'M';
                garbage[2] = 1;
            }
            server.send(garbage);
        }
        server.send(1, at(0, 0, 777));
        ServerMetrics m = server.server.metrics();
        await().atMost(Duration.ofSeconds(10)).until(() -> m.datagramsReceived.sum() == 5_001);
        server.awaitHandled(1);

        assertThat(totalMwh(1)).isEqualTo(777);
        assertThat(m.datagramsAccepted.sum() + m.rejectedTotal()).isEqualTo(m.datagramsReceived.sum());
        assertThat(m.rejectedTotal()).isEqualTo(5_000);
    }

    @Test
    void meterWithAKeyMustAuthenticateAndGetsAuthenticatedAcks() throws Exception {
        String keyHex = "000102030405060708090a0b0c0d0e0f";
        assertThat(server.post("/usuario/cadastro/", "{\"id\": 4, \"nome\": \"a\", \"endereco\": \"b\", "
                + "\"chave_medidor\": \"" + keyHex + "\"}", TestServer.TOKEN).statusCode()).isEqualTo(201);
        byte[] key = HexFormat.of().parseHex(keyHex);

        server.send(4, at(0, 0, 100)); // CRC only: refused
        byte[] signed = V1Codec.encodeReadings(new ReadingBatch(4, List.of(at(1, 5, 200)), Integrity.HMAC, true), key);
        try (DatagramSocket meter = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            meter.setSoTimeout(5000);
            meter.send(new DatagramPacket(signed, signed.length, server.server.udpAddress()));
            DatagramPacket reply = new DatagramPacket(new byte[1500], 1500);
            meter.receive(reply);

            assertThat(V1Codec.decodeAck(ByteBuffer.wrap(reply.getData(), 0, reply.getLength()), key).orElseThrow())
                    .isEqualTo(new Ack(4, 1, 1));
        }
        assertThat(server.server.metrics().rejectedCount("auth_required")).isEqualTo(1);
        assertThat(totalMwh(4)).isEqualTo(200);
    }

    @Test
    void streamOf100000DatagramsFromAThousandMetersIsStoredWithNothingUnaccounted(@TempDir Path other)
            throws Exception {
        int meters = 1000;
        int perMeter = 100;
        try (TestServer big = TestServer.start(other)) {
            long started = System.nanoTime();
            for (int round = 0; round < perMeter; round++) {
                for (int meter = 1; meter <= meters; meter++) {
                    big.send(meter, at(round, round * 5L, 1000L * (round + 1)));
                }
                // about 50,000 datagrams/s: a steady fleet, not a flood (bench/ measures floods)
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
            }
            long sentNanos = System.nanoTime() - started;
            ServerMetrics m = big.server.metrics();
            await().atMost(Duration.ofSeconds(60)).during(Duration.ofMillis(500)).until(() ->
                    m.datagramsAccepted.sum() + m.rejectedTotal() == m.datagramsReceived.sum()
                    && m.readingsCommitted.sum() == m.datagramsAccepted.sum() && writerIdle(big));
            long received = m.datagramsReceived.sum();
            System.out.printf("ingest stream: sent %d datagrams in %d ms (%.0f/s); received %d (%.2f %%), stored %d%n",
                    meters * perMeter, sentNanos / 1_000_000, meters * perMeter / (sentNanos / 1e9), received,
                    100.0 * received / (meters * perMeter), m.readingsStored.sum());

            assertThat(m.rejectedTotal()).isZero();
            assertThat(m.readingsStored.sum()).as("every datagram received is stored").isEqualTo(received);
            long storedInDatabase = 0;
            for (int meter = 1; meter <= meters; meter += 111) {
                big.register(meter);
                storedInDatabase += TestServer.json(big.get("/usuario/consumo/?id=" + meter)).get("consumo").size();
            }
            assertThat(storedInDatabase).as("sampled meters' readings are in the database").isPositive();
            if (received == meters * perMeter) {
                assertThat(storedInDatabase).isEqualTo(10L * perMeter);
            }
        }
    }

    private static boolean writerIdle(TestServer s) {
        return TestServer.json(s.get("/saude")).get("fila_escrita").asInt() == 0;
    }

    @Test
    void legacyDatagramsCanBeTurnedOff(@TempDir Path other) throws Exception {
        try (TestServer strict = TestServer.start(other, "--legacy-datagrams=false")) {
            strict.send(LegacyDatagramCodec.encode(3, 1_700_000_000L, 10f));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> strict.server.metrics().rejectedCount("legacy_disabled") == 1);
        }
    }
}
