package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.gridmeter.protocol.Ack;
import org.gridmeter.protocol.Integrity;
import org.gridmeter.protocol.MessageType;
import org.gridmeter.protocol.Reading;
import org.gridmeter.protocol.ReadingBatch;
import org.gridmeter.protocol.V1Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No single datagram may cost the writer more than a few milliseconds, whatever
 * its timestamps. A fleet of 1,000 meters asks for ACKs while one meter sends a reading at timestamp
 * 0, one at 1970 plus a day, and another meter's readings 60 years apart; the server keeps 100 years
 * of readings, so all of them reach the usage rules. The fleet's ACKs must keep coming on time.
 */
class WriterStallIntegrationTest {

    /** The server clock: 2040, so that 60 years before it is a valid timestamp (1980). */
    private static final long NOW = Instant.parse("2040-06-15T12:00:00Z").toEpochMilli();
    private static final int FLEET = 1000;
    private static final int ROUNDS = 12;
    private static final long ROUND_MILLIS = 500;

    @TempDir
    Path dir;

    @Test
    void oneMetersAncientReadingsDoNotHoldUpTheFleetsAcks() throws Exception {
        try (TestServer server = TestServer.start(dir, TestClock.at(NOW), "--retention", "36500d", "--zone", "UTC");
                DatagramSocket fleet = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                TestMeter bad = new TestMeter(server)) {
            for (int m = 1; m <= FLEET + 2; m++) {
                server.register(m);
            }
            long badMeter = FLEET + 1;
            long gapMeter = FLEET + 2;
            bad.send(badMeter, new Reading(0, NOW - 600_000, 5_000_000, 100), new Reading(1, NOW - 300_000, 6_000_000, 100));
            bad.ack();
            long sixtyYearsAgo = ZonedDateTime.ofInstant(Instant.ofEpochMilli(NOW), ZoneOffset.UTC).minusYears(60)
                    .toInstant().toEpochMilli();
            bad.send(gapMeter, new Reading(0, sixtyYearsAgo, 1_000, 100));
            bad.ack();

            ConcurrentHashMap<Long, Long> sentAt = new ConcurrentHashMap<>(); // meter * ROUNDS + round -> nanos
            List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean listening = new AtomicBoolean(true);
            fleet.setSoTimeout(200);
            fleet.setReceiveBufferSize(8 << 20); // a commit sends the fleet 1,000 ACKs at once
            Thread acks = new Thread(() -> receiveAcks(fleet, sentAt, latencies, listening), "acks");
            acks.start();

            for (int round = 0; round < ROUNDS; round++) {
                long roundStart = System.nanoTime();
                if (round == 3) { // mid-stream: the readings that used to stall the writer for minutes
                    bad.send(badMeter, new Reading(2, 0, 4_000_000, 100));
                    bad.send(badMeter, new Reading(3, 86_400_000L, 4_500_000, 100));
                    bad.send(gapMeter, new Reading(1, NOW - 1_000, 2_000_000, 100));
                }
                for (int m = 1; m <= FLEET; m++) {
                    Reading r = new Reading(round, NOW - (ROUNDS - round) * 1000L, 1000L * (round + 1), 100);
                    byte[] d = V1Codec.encodeReadings(new ReadingBatch(m, List.of(r), Integrity.CRC32C, true), null);
                    sentAt.put((long) m * ROUNDS + round, System.nanoTime());
                    fleet.send(new DatagramPacket(d, d.length, server.server.udpAddress()));
                }
                java.util.concurrent.locks.LockSupport.parkNanos(
                        Math.max(0, ROUND_MILLIS * 1_000_000 - (System.nanoTime() - roundStart)));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> latencies.size() >= FLEET * ROUNDS * 99 / 100);
            listening.set(false);
            acks.join();

            List<Long> sorted = new ArrayList<>(latencies);
            sorted.sort(null);
            long p99 = sorted.get(sorted.size() * 99 / 100 - 1);
            System.out.printf("fleet ACKs: %d of %d, p50 %d ms, p99 %d ms, max %d ms%n", sorted.size(),
                    FLEET * ROUNDS, sorted.get(sorted.size() / 2) / 1_000_000, p99 / 1_000_000,
                    sorted.get(sorted.size() - 1) / 1_000_000);
            assertThat(p99).as("p99 of the fleet's ACK latency, ns").isLessThan(500_000_000L);
            assertThat(server.user(badMeter).get("consumo_total_kwh").decimalValue())
                    .as("the ancient readings were decided where they belong").isEqualByComparingTo("6");
            assertThat(server.user(gapMeter).get("consumo_total_kwh").decimalValue()).isEqualByComparingTo("2");
            JsonNode decades = TestServer.json(server.get("/usuario/consumo/intervalo/?id=" + gapMeter
                    + "&inicio=1980-01-01&fim=2040-12-31&passo=mes"));
            assertThat(decades.get("total_kwh").decimalValue()).as("60 years of consumption, month by month")
                    .isEqualByComparingTo("2");
            assertThat(decades.get("serie").get(300).get("consumo_kwh").decimalValue().doubleValue())
                    .as("a month in the middle of the gap holds its even share: 1.999 kWh over 720 months")
                    .isBetween(0.0027, 0.0029);
        }
    }

    private static void receiveAcks(DatagramSocket socket, ConcurrentHashMap<Long, Long> sentAt, List<Long> latencies,
            AtomicBoolean listening) {
        DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
        while (listening.get()) {
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                continue;
            } catch (IOException e) {
                return;
            }
            long now = System.nanoTime();
            ByteBuffer bytes = ByteBuffer.wrap(packet.getData(), 0, packet.getLength());
            if (V1Codec.replyType(bytes) != MessageType.ACK) {
                continue;
            }
            Ack ack = V1Codec.decodeAck(bytes, null).orElseThrow();
            for (var range : ack.ranges()) {
                for (long seq = range.first(); seq <= range.last(); seq++) {
                    Long sent = sentAt.remove(ack.meterId() * ROUNDS + seq);
                    if (sent != null) {
                        latencies.add(now - sent);
                    }
                }
            }
        }
    }
}
