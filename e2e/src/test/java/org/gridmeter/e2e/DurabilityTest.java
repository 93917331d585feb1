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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.gridmeter.protocol.Integrity;
import org.gridmeter.protocol.Reading;
import org.gridmeter.protocol.ReadingBatch;
import org.gridmeter.protocol.V1Codec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Contract section 4: readings are durable within --commit-interval. The server runs as its own
 * process, a meter streams readings, the server is killed with SIGKILL mid-stream, restarted on the
 * same data directory, and every reading sent earlier than the commit window before the kill must
 * be there.
 */
class DurabilityTest {

    private static final long COMMIT_WINDOW_MILLIS = 200;
    /** Loopback delivery and decoding before the writer sees a reading: generous, still far below the window. */
    private static final long DELIVERY_MARGIN_MILLIS = 50;
    private static final long T0 = (System.currentTimeMillis() / 1000 - 3 * 86_400) * 1000;

    @TempDir
    Path dataDir;

    private static byte[] datagram(int i) {
        Reading reading = new Reading(i, T0 + i * 1000L, 100L * (i + 1), 360);
        return V1Codec.encodeReadings(new ReadingBatch(1, List.of(reading), Integrity.CRC32C, false), null);
    }

    @Test
    void everyReadingOlderThanTheCommitWindowSurvivesKillMinus9() throws Exception {
        AtomicLongArray sentAt = new AtomicLongArray(200_000);
        AtomicInteger sent = new AtomicInteger();
        long killedAt;
        try (ServerProcess server = ServerProcess.start(dataDir)) {
            server.register(1);
            AtomicBoolean sending = new AtomicBoolean(true);
            Thread meter = new Thread(() -> {
                try (DatagramSocket socket = new DatagramSocket()) {
                    InetAddress loopback = InetAddress.getLoopbackAddress();
                    for (int i = 0; sending.get() && i < sentAt.length(); i++) {
                        byte[] d = datagram(i);
                        sentAt.set(i, System.nanoTime());
                        socket.send(new DatagramPacket(d, d.length, loopback, server.udpPort));
                        sent.set(i + 1);
                        LockSupport.parkNanos(500_000); // a steady stream, about 2,000 readings/s
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "meter");
            meter.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> server.getJson("/saude").get("leituras_armazenadas")
                    .asLong() >= 1500);

            killedAt = System.nanoTime();
            server.process.destroyForcibly(); // SIGKILL: no shutdown hook, no final commit
            assertThat(server.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            sending.set(false);
            meter.join();
        }

        try (ServerProcess restarted = ServerProcess.start(dataDir)) {
            Set<Long> stored = new HashSet<>(restarted.readingTimes(1));
            long deadline = killedAt - TimeUnit.MILLISECONDS.toNanos(COMMIT_WINDOW_MILLIS + DELIVERY_MARGIN_MILLIS);
            int mustSurvive = 0;
            for (int i = 0; i < sent.get(); i++) {
                if (sentAt.get(i) < deadline) {
                    mustSurvive++;
                    assertThat(stored).as("reading %d, sent %d ms before the kill", i,
                            (killedAt - sentAt.get(i)) / 1_000_000).contains(T0 + i * 1000L);
                }
            }
            assertThat(mustSurvive).isGreaterThan(1000);
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
        long[] sentAt = new long[meters * rounds]; // by meter and round: when it was first sent
        AtomicInteger sent = new AtomicInteger();
        long killedAt;
        long deletedUpTo;
        try (ServerProcess server = ServerProcess.start(dataDir, "--checkpoint-interval", "1h", "--zone",
                "America/Sao_Paulo")) {
            for (int m = 1; m <= meters; m++) {
                server.register(m);
            }
            AtomicBoolean sending = new AtomicBoolean(true);
            Thread fleet = new Thread(() -> {
                try (DatagramSocket socket = new DatagramSocket()) {
                    InetAddress loopback = InetAddress.getLoopbackAddress();
                    for (int i = 0; sending.get() && i < meters * rounds; i++) {
                        int round = i / meters;
                        int meter = i % meters + 1;
                        boolean reorders = meter != 1; // meter 1's user is deleted: its readings stay in order
                        if (reorders && round % 10 == 5) {
                            continue; // held back: sent three rounds later, late
                        }
                        send(socket, loopback, server.udpPort, start, meter, round, sentAt, rounds);
                        if (round % 7 == 0) {
                            send(socket, loopback, server.udpPort, start, meter, round, sentAt, rounds); // a resend
                        }
                        if (reorders && round % 10 == 8) {
                            send(socket, loopback, server.udpPort, start, meter, round - 3, sentAt, rounds);
                        }
                        sent.set(i + 1);
                        if (i % 20 == 0) {
                            LockSupport.parkNanos(1_000_000); // about 20,000 readings/s
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
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

            killedAt = System.nanoTime();
            server.process.destroyForcibly();
            assertThat(server.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            sending.set(false);
            fleet.join();
        }

        try (ServerProcess restarted = ServerProcess.start(dataDir, "--zone", "America/Sao_Paulo")) {
            assertThat(restarted.output).as("the restart replayed the log")
                    .anyMatch(line -> line.contains("event=reading_log_replayed"));
            long deadline = killedAt - TimeUnit.MILLISECONDS.toNanos(COMMIT_WINDOW_MILLIS + DELIVERY_MARGIN_MILLIS);
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
                    long at = sentAt[(m - 1) * rounds + round];
                    if (at != 0 && at < deadline) {
                        assertThat(stored).as("meter %d, round %d", m, round).contains(start + round * 1000L);
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

    /** Sends meter {@code meter}'s reading of {@code round}; notes when it was first sent in {@code sentAt}. */
    private static void send(DatagramSocket socket, InetAddress to, int port, long start, int meter, int round,
            long[] sentAt, int rounds) throws java.io.IOException {
        boolean restarted = round >= COUNTER_RESET_ROUND;
        int sinceRestart = restarted ? round - COUNTER_RESET_ROUND : round;
        Reading r = new Reading(sinceRestart, start + round * 1000L, 7L * meter * (sinceRestart + 1), 0);
        byte[] d = V1Codec.encodeReadings(new ReadingBatch(meter, List.of(r), Integrity.CRC32C, false), null);
        int slot = (meter - 1) * rounds + round;
        if (sentAt[slot] == 0) {
            sentAt[slot] = System.nanoTime();
        }
        socket.send(new DatagramPacket(d, d.length, to, port));
    }

    @Test
    void sigtermStoresEverythingReceivedBeforeStopping() throws Exception {
        int count = 3000;
        try (ServerProcess server = ServerProcess.start(dataDir, "--commit-interval", "10s")) {
            server.register(1);
            try (DatagramSocket socket = new DatagramSocket()) {
                for (int i = 0; i < count; i++) {
                    byte[] d = datagram(i);
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
