package org.gridmeter.meter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.gridmeter.protocol.Ack;
import org.gridmeter.protocol.DecodeResult;
import org.gridmeter.protocol.KeyLookup;
import org.gridmeter.protocol.Reading;
import org.gridmeter.protocol.ReadingBatch;
import org.gridmeter.protocol.V1Codec;
import org.junit.jupiter.api.Test;

/** The fleet against a stand-in server on loopback that records every reading and acknowledges it. */
class MeterFleetTest {

    /** Receives datagrams, records their readings and ACKs each one, until closed. */
    private static final class AckingServer implements AutoCloseable {
        final DatagramSocket socket;
        final List<Reading> readings = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        AckingServer() throws IOException {
            socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            socket.setSoTimeout(100);
            thread = new Thread(this::serve, "acking-server");
            thread.start();
        }

        private void serve() {
            byte[] buf = new byte[2048];
            while (running.get()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    continue;
                } catch (IOException e) {
                    return;
                }
                if (V1Codec.decodeReadings(ByteBuffer.wrap(p.getData(), 0, p.getLength()), KeyLookup.NONE)
                        instanceof DecodeResult.Ok<ReadingBatch> ok) {
                    List<Reading> batch = ok.value().readings();
                    readings.addAll(batch);
                    for (Reading r : batch) {
                        byte[] ack = V1Codec.encodeAck(new Ack(ok.value().meterId(), r.sequence(), r.sequence()), null);
                        try {
                            socket.send(new DatagramPacket(ack, ack.length, p.getSocketAddress()));
                        } catch (IOException e) {
                            return;
                        }
                    }
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join();
            socket.close();
        }
    }

    private static MeterOptions options(int port, String... extra) {
        List<String> args = new ArrayList<>(List.of("--id", "1", "--server", "127.0.0.1:" + port, "--seed", "3"));
        args.addAll(List.of(extra));
        return Main.parse(args.toArray(String[]::new), java.util.Map.of(), null,
                new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(new java.io.StringWriter()))
                .options();
    }

    @Test
    void afterCatchingUpReadingsComeEveryLiveIntervalWithoutBackfillingThePast() throws Exception {
        try (AckingServer server = new AckingServer()) {
            // an hour back at 3600x in 1-minute readings: caught up after about a second, then 100 ms readings
            MeterOptions options = options(server.socket.getLocalPort(), "--start", "-1h", "--speed", "3600",
                    "--interval", "1m", "--live-interval", "100ms", "--count", "80");
            Clock wall = Clock.systemUTC();
            MeterFleet fleet = new MeterFleet(options, wall, System::nanoTime, ZoneOffset.UTC);
            long started = wall.millis();
            fleet.run(() -> { });

            List<Reading> readings = new ArrayList<>(server.readings);
            readings.sort(java.util.Comparator.comparingLong(Reading::sequence));
            assertThat(readings).extracting(Reading::sequence).doesNotHaveDuplicates().hasSize(80);
            List<Long> gaps = new ArrayList<>();
            for (int i = 1; i < readings.size(); i++) {
                gaps.add(readings.get(i).timestampMillis() - readings.get(i - 1).timestampMillis());
            }
            int firstLive = gaps.indexOf(100L);
            assertThat(firstLive).as("live readings came: %s", gaps).isPositive();
            assertThat(gaps.subList(0, firstLive - 1)).as("catching up: 1-minute steps").containsOnly(60_000L);
            assertThat(gaps.get(firstLive - 1)).as("the step into live time: a reading now, not a backfill")
                    .isBetween(100L, 120_000L);
            assertThat(gaps.subList(firstLive, gaps.size())).as("live: every 100 ms").containsOnly(100L);
            assertThat(readings.get(firstLive).timestampMillis()).as("live readings are taken now, not in the past")
                    .isGreaterThanOrEqualTo(started - 1);
            assertThat(fleet.status(System.nanoTime()).live()).isTrue();
        }
    }

    @Test
    void energyFollowsTheTimeBetweenReadingsAcrossTheSwitch() throws Exception {
        try (AckingServer server = new AckingServer()) {
            MeterOptions options = options(server.socket.getLocalPort(), "--profile", "constante:3.6", "--start", "-1h",
                    "--speed", "3600", "--interval", "1m", "--live-interval", "100ms", "--count", "70");
            new MeterFleet(options, Clock.systemUTC(), System::nanoTime, ZoneOffset.UTC).run(() -> { });

            List<Reading> readings = new ArrayList<>(server.readings);
            readings.sort(java.util.Comparator.comparingLong(Reading::sequence));
            for (int i = 1; i < readings.size(); i++) {
                long millis = readings.get(i).timestampMillis() - readings.get(i - 1).timestampMillis();
                long mwh = readings.get(i).energyMwh() - readings.get(i - 1).energyMwh();
                assertThat(mwh).as("3.6 kW for %d ms", millis).isEqualTo(millis); // 3.6 kW = 1 mWh per ms
            }
        }
    }

    @Test
    void theSummarySaysWhatWasMadeDroppedDuplicatedDelayedAndSent() {
        assertThat(MeterFleet.datagramSummary(200, 69, 12, 8, 143, 30)).isEqualTo("200 datagrams made (30 readings "
                + "resent): 69 dropped on purpose and never sent (--loss), 12 sent twice (--duplicate), 8 held back and "
                + "sent late (--reorder); 143 sent in all");
        assertThat(MeterFleet.datagramSummary(143, 0, 0, 0, 143, 0)).isEqualTo("143 datagrams sent");
    }

    @Test
    void theStatusLineShowsTheBacklogResendsAndASilentServer() {
        MeterFleet.Status healthy = new MeterFleet.Status(10, 9, 1, 2, 0, -1, true, 0, 1);
        MeterFleet.Status silent = new MeterFleet.Status(30, 9, 21, 40, 12, -1, true, 0, 1);
        MeterFleet.Status quitting = new MeterFleet.Status(30, 9, 21, 40, 12, 57, true, 0, 1);

        assertThat(Terminal.line("meter 5", 1500, 500, 123_456, healthy, "192.0.2.1:18000")).isEqualTo(
                "meter 5: 1.500 kW (load +0.5 kW)  0.123456 kWh  sent 10  acknowledged 9  waiting 1  resent 2");
        assertThat(Terminal.line("meter 5", 1500, 0, 0, silent, "192.0.2.1:18000"))
                .endsWith("| no ACK from 192.0.2.1:18000 for 12 s: is the server running?");
        assertThat(Terminal.line("meter 5", 1500, 0, 0, quitting, "192.0.2.1:18000"))
                .endsWith("| quitting: waiting for 21 ACKs from 192.0.2.1:18000, 57 s left (Ctrl-C to stop now)");
    }

    @Test
    void progressLinesSayHowFarTheCatchUpIs() {
        MeterFleet.Status catchingUp = new MeterFleet.Status(100, 90, 10, 0, 0, -1, false,
                java.time.Instant.parse("2026-09-12T10:00:00Z").toEpochMilli(), 0.61);

        assertThat(Progress.catchingUpText(catchingUp, ZoneOffset.UTC)).isEqualTo("catching up: simulated clock at "
                + "2026-09-12 10:00, 61% of the way to now; 100 readings sent, 90 acknowledged, 10 waiting for an ACK, "
                + "0 resent");
        assertThat(Progress.liveText(options(18000, "--interval", "5m", "--live-interval", "5s")))
                .isEqualTo("live: the simulated clock is at now; a reading every 5s from here");
        assertThat(Duration.ofSeconds(5)).isEqualTo(options(18000, "--interval", "5s").liveInterval());
    }
}
