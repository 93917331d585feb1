package org.gridmeter.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.gridmeter.protocol.Integrity;
import org.gridmeter.protocol.Reading;
import org.gridmeter.protocol.ReadingBatch;
import org.gridmeter.protocol.V1Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readings are durable once acknowledged: the server sends an ACK only after the commit that stored
 * the readings it covers (PROTOCOL.md 1.5). The server runs as its own process, meters stream
 * readings and ask for ACKs, the server is killed with SIGKILL mid-stream and restarted on the same
 * data directory: every acknowledged reading must be there, and every total resume exactly. (That
 * is the promise a meter can check; how soon after arrival a commit comes, {@code --commit-interval},
 * depends on the machine's speed, so no test here measures it.)
 */
class DurabilityTest {

    private static final long T0 = (System.currentTimeMillis() / 1000 - 3 * 86_400) * 1000;

    @TempDir
    Path dataDir;

    private static byte[] datagram(int i, boolean ack) {
        Reading reading = new Reading(i, T0 + i * 1000L, 100L * (i + 1), 360);
        return V1Codec.encodeReadings(new ReadingBatch(1, List.of(reading), Integrity.CRC32C, ack), null);
    }

    /**
     * Collects the ACKs arriving on {@code socket} until it closes: for each, the meter and
     * sequence ranges, handed to {@code acked}.
     */
    private static Thread acks(DatagramSocket socket, java.util.function.BiConsumer<Long, Long> acked) {
        Thread thread = new Thread(() -> {
            DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
            while (!socket.isClosed()) {
                try {
                    socket.receive(packet);
                } catch (java.io.IOException e) {
                    return; // closed
                }
                java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(packet.getData(), 0, packet.getLength());
                if (V1Codec.replyType(bytes) == org.gridmeter.protocol.MessageType.ACK) {
                    org.gridmeter.protocol.Ack ack = V1Codec.decodeAck(bytes, null).orElseThrow();
                    for (var range : ack.ranges()) {
                        for (long seq = range.first(); seq <= range.last(); seq++) {
                            acked.accept(ack.meterId(), seq);
                        }
                    }
                }
            }
        }, "acks");
        thread.start();
        return thread;
    }

    @Test
    void everyAcknowledgedReadingSurvivesKillMinus9() throws Exception {
        Set<Long> acked = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (ServerProcess server = ServerProcess.start(dataDir)) {
            server.register(1);
            AtomicBoolean sending = new AtomicBoolean(true);
            DatagramSocket socket = new DatagramSocket();
            Thread ackReader = acks(socket, (meter, seq) -> acked.add(seq));
            Thread meter = new Thread(() -> {
                InetAddress loopback = InetAddress.getLoopbackAddress();
                try {
                    for (int i = 0; sending.get() && i < 200_000; i++) {
                        byte[] d = datagram(i, true);
                        socket.send(new DatagramPacket(d, d.length, loopback, server.udpPort));
                        LockSupport.parkNanos(500_000); // a steady stream, about 2,000 readings/s
                    }
                } catch (Exception e) {
                    if (sending.get()) {
                        throw new IllegalStateException(e);
                    }
                }
            }, "meter");
            meter.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= 1500);

            server.process.destroyForcibly(); // SIGKILL: no shutdown hook, no final commit
            assertThat(server.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            sending.set(false);
            meter.join();
            socket.close();
            ackReader.join();
        }

        try (ServerProcess restarted = ServerProcess.start(dataDir)) {
            Set<Long> stored = new HashSet<>(restarted.readingTimes(1));
            for (long seq : acked) {
                assertThat(stored).as("acknowledged reading %d", seq).contains(T0 + seq * 1000L);
            }
            long lastStored = stored.stream().mapToLong(Long::longValue).max().orElseThrow();
            long expectedTotalKwhMwh = 100L * ((lastStored - T0) / 1000 + 1);
            assertThat(restarted.getJson("/usuario/?id=1").get("consumo_total_kwh").decimalValue().movePointRight(6)
                    .longValueExact()).as("the running total resumes exactly").isEqualTo(expectedTotalKwhMwh);
        }
    }

    /**
     * Between checkpoints only the reading log holds what was committed (see the server's
     * ReadingLog): meters' running states, billing states and rollups are rebuilt on start by
     * replaying it, each meter from its own last saved state (a commit with a late reading, a
     * re-decided one or a conflict saves those meters alone). A fleet large enough that its commits
     * are not checkpoints anyway, with periodic checkpoints pushed out of reach, sends readings late,
     * twice, and across a counter reset, and is killed mid-stream; after the restart every meter's
     * total, its readings' consumption, its rollups and its open invoice must agree exactly with the
     * readings stored, and every reading sent before the commit window must be there. A user deleted
     * mid-stream stays deleted: none of its readings comes back from the log.
     */
    @Test
    void aFleetKilledBetweenCheckpointsResumesEveryMeterExactlyFromTheLog() throws Exception {
        int meters = 600; // a commit changing more than 256 meters is not a checkpoint by itself
        int rounds = 1000;
        long start = java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(3).atTime(12, 0)
                .toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
        // which round each (meter, sequence) was last sent for: sequence numbers restart with the counter
        java.util.concurrent.ConcurrentHashMap<Long, Integer> lastSent = new java.util.concurrent.ConcurrentHashMap<>();
        Set<Long> acked = java.util.concurrent.ConcurrentHashMap.newKeySet(); // meter * rounds + round
        long deletedUpTo;
        try (ServerProcess server = ServerProcess.start(dataDir, "--checkpoint-interval", "1h", "--zone",
                "America/Sao_Paulo")) {
            for (int m = 1; m <= meters; m++) {
                server.register(m);
            }
            AtomicBoolean sending = new AtomicBoolean(true);
            DatagramSocket socket = new DatagramSocket();
            socket.setReceiveBufferSize(8 << 20); // a commit acknowledges hundreds of meters at once
            Thread ackReader = acks(socket, (meter, seq) -> {
                Integer round = lastSent.get(meter * 100_000 + seq);
                if (round != null) {
                    acked.add(meter * rounds + round);
                }
            });
            Thread fleet = new Thread(() -> {
                try {
                    InetAddress loopback = InetAddress.getLoopbackAddress();
                    for (int i = 0; sending.get() && i < meters * rounds; i++) {
                        int round = i / meters;
                        int meter = i % meters + 1;
                        boolean reorders = meter != 1; // meter 1's user is deleted: its readings stay in order
                        if (reorders && round % 10 == 5) {
                            continue; // held back: sent three rounds later, late
                        }
                        send(socket, loopback, server.udpPort, start, meter, round, lastSent);
                        if (round % 7 == 0) {
                            send(socket, loopback, server.udpPort, start, meter, round, lastSent); // a resend
                        }
                        if (reorders && round % 10 == 8) {
                            send(socket, loopback, server.udpPort, start, meter, round - 3, lastSent);
                        }
                        if (i % 20 == 0) {
                            LockSupport.parkNanos(1_000_000); // about 20,000 readings/s
                        }
                    }
                } catch (Exception e) {
                    if (sending.get()) {
                        throw new IllegalStateException(e);
                    }
                }
            }, "fleet");
            fleet.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> server.getJson("/saude").get("leituras_armazenadas")
                    .asLong() >= 100L * meters);
            JsonNode deleted = server.delete(1); // meter 1 keeps sending: its later readings are an orphan's
            deletedUpTo = java.time.OffsetDateTime.parse(deleted.get("leituras").get("ultima").asText()).toInstant()
                    .toEpochMilli();
            await().atMost(Duration.ofSeconds(60)).until(() -> server.getJson("/saude").get("leituras_armazenadas")
                    .asLong() >= COUNTER_RESET_ROUND * 1.2 * meters);

            server.process.destroyForcibly();
            assertThat(server.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            sending.set(false);
            fleet.join();
            socket.close();
            ackReader.join();
        }
        assertThat(acked.size()).as("readings acknowledged before the kill").isGreaterThan(100 * meters);

        try (ServerProcess restarted = ServerProcess.start(dataDir, "--zone", "America/Sao_Paulo")) {
            assertThat(restarted.output).as("the restart replayed the log")
                    .anyMatch(line -> line.contains("event=reading_log_replayed"));
            String day = java.time.Instant.ofEpochMilli(start).atZone(java.time.ZoneId.of("America/Sao_Paulo"))
                    .toLocalDate().toString();
            restarted.register(1);
            assertThat(restarted.readingTimes(1)).as("meter 1's readings up to its user's deletion stay deleted")
                    .isNotEmpty().allMatch(ts -> ts > deletedUpTo);
            long listedReadings = restarted.readings(1).size();
            for (int m = 2; m <= meters; m++) {
                List<JsonNode> readings = restarted.readings(m);
                listedReadings += readings.size();
                Set<Long> stored = new HashSet<>();
                long expected = 0;
                long previous = -1;
                java.math.BigDecimal listed = java.math.BigDecimal.ZERO;
                for (JsonNode r : readings) {
                    stored.add(java.time.OffsetDateTime.parse(r.get("timestamp").asText()).toInstant().toEpochMilli());
                    long energy = r.get("kwh").decimalValue().movePointRight(6).longValueExact();
                    expected += previous < 0 || energy < previous ? energy : energy - previous; // a reset counts anew
                    previous = energy;
                    listed = listed.add(r.get("consumo_kwh").decimalValue());
                }
                for (int round = 0; round < rounds; round++) {
                    if (acked.contains((long) m * rounds + round)) {
                        assertThat(stored).as("meter %d, round %d, acknowledged", m, round)
                                .contains(start + round * 1000L);
                    }
                }
                java.math.BigDecimal total = java.math.BigDecimal.valueOf(expected).movePointLeft(6);
                assertThat(listed).as("meter %d: its readings' consumption", m).isEqualByComparingTo(total);
                assertThat(restarted.getJson("/usuario/?id=" + m).get("consumo_total_kwh").decimalValue())
                        .as("meter %d: running total", m).isEqualByComparingTo(total);
                if (m % 50 == 0) {
                    assertThat(restarted.getJson("/usuario/consumo/intervalo/?id=" + m + "&inicio=" + day + "&fim="
                            + day).get("total_kwh").decimalValue()).as("meter %d: rollups", m)
                            .isEqualByComparingTo(total);
                    assertThat(restarted.getJson("/usuario/fatura/?id=" + m).get("faturas").get(0).get("consumo")
                            .decimalValue()).as("meter %d: open invoice", m).isEqualByComparingTo(total);
                }
            }
            assertThat(restarted.getJson("/saude").get("leituras_armazenadas").asLong())
                    .as("the meters' states count every reading stored, the late ones included").isEqualTo(listedReadings);
        }
    }

    /** Meters' counters restart (and their sequence numbers) at this round. */
    private static final int COUNTER_RESET_ROUND = 300;

    /** Sends meter {@code meter}'s reading of {@code round}, asking for an ACK; notes which round its sequence is. */
    private static void send(DatagramSocket socket, InetAddress to, int port, long start, int meter, int round,
            java.util.Map<Long, Integer> lastSent) throws java.io.IOException {
        boolean restarted = round >= COUNTER_RESET_ROUND;
        int sinceRestart = restarted ? round - COUNTER_RESET_ROUND : round;
        Reading r = new Reading(sinceRestart, start + round * 1000L, 7L * meter * (sinceRestart + 1), 0);
        byte[] d = V1Codec.encodeReadings(new ReadingBatch(meter, List.of(r), Integrity.CRC32C, true), null);
        lastSent.put(meter * 100_000L + sinceRestart, round);
        socket.send(new DatagramPacket(d, d.length, to, port));
    }

    @Test
    void sigtermStoresEverythingReceivedBeforeStopping() throws Exception {
        int count = 3000;
        // one meter sends 3,000 readings at once here: above --max-rate, which is not what this tests
        try (ServerProcess server = ServerProcess.start(dataDir, "--commit-interval", "10s", "--max-rate", "1000000")) {
            server.register(1);
            try (DatagramSocket socket = new DatagramSocket()) {
                for (int i = 0; i < count; i++) {
                    byte[] d = datagram(i, false);
                    socket.send(new DatagramPacket(d, d.length, InetAddress.getLoopbackAddress(), server.udpPort));
                    if (i % 200 == 0) {
                        LockSupport.parkNanos(1_000_000); // stay well under the socket buffer
                    }
                }
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> server.getJson("/saude").get("leituras_armazenadas")
                    .asLong() == count);

            server.terminate(); // SIGTERM, long before the 10 s commit interval would commit
            assertThat(server.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(5)).alias("the server logs event=stopped; it logged " + server.output)
                    .until(() -> server.output.stream().anyMatch(line -> line.contains("event=stopped")));
        }
        try (ServerProcess restarted = ServerProcess.start(dataDir)) {
            assertThat(restarted.readingTimes(1)).hasSize(count);
        }
    }
}
