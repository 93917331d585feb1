package org.gridmeter.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
