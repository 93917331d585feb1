package org.gridmeter.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gridmeter.server.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several server nodes on one PostgreSQL (docs/scaling.md), as real processes: a node killed and
 * restarted under a fleet with loss, and a node paused past its lease (fencing). Runs in the
 * PostgreSQL execution only (the database is the cluster's shared state).
 */
class ClusterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private ServerProcess node(String store, String id, String... more) throws Exception {
        List<String> flags = new ArrayList<>(List.of("--store", store, "--node-id", id));
        flags.addAll(List.of(more));
        return ServerProcess.start(dir.resolve("node-" + id + "-" + System.nanoTime()), flags.toArray(String[]::new));
    }

    /** Waits until the live nodes hold all 64 partitions between them, each {@code share}. */
    private static void awaitSpread(ServerProcess any, int nodes) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            JsonNode cluster = any.getJson("/cluster");
            int held = 0;
            int alive = 0;
            for (JsonNode n : cluster.get("nos")) {
                if (n.get("vivo").asBoolean() && n.get("particoes").size() > 0) {
                    alive++;
                    assertThat(n.get("particoes").size()).isEqualTo(64 / nodes);
                    held += n.get("particoes").size();
                }
            }
            assertThat(alive).isEqualTo(nodes);
            assertThat(held).isEqualTo(64);
        });
    }

    private static Process meters(Path report, String ids, String seconds, String... servers) throws IOException {
        List<String> command = new ArrayList<>(List.of(ServerProcess.java(), "-jar",
                LauncherTest.ROOT.resolve("meter-simulator/target/gridmeter-meter.jar").toString(), "--ids", ids,
                "--server", String.join(",", servers), "--interval", "1s", "--loss", "0.1", "--seed", "16",
                "--duration", seconds, "--report", report.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(report.resolveSibling(report.getFileName() + ".out").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    }

    /** Every meter's total equals its report to the mWh, on each node; each stored reading once, all acknowledged. */
    private static void assertExact(Path report, ServerProcess... nodes) throws Exception {
        JsonNode meters = JSON.readTree(Files.readString(report));
        long checked = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = meters.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> m = it.next();
            BigDecimal expected = m.getValue().get("kwh").decimalValue();
            assertThat(m.getValue().get("acked").asLong()).as("meter %s acknowledged all", m.getKey())
                    .isEqualTo(m.getValue().get("sent").asLong());
            for (ServerProcess node : nodes) {
                JsonNode user = node.getJson("/usuario/?id=" + m.getKey());
                assertThat(user.get("consumo_total_kwh").decimalValue()).as("meter %s on node %s", m.getKey(),
                        node.httpPort).isEqualByComparingTo(expected);
                JsonNode invoice = node.getJson("/usuario/fatura/?id=" + m.getKey());
                assertThat(invoice.toString()).as("invoice of %s on both nodes", m.getKey())
                        .isEqualTo(nodes[0].getJson("/usuario/fatura/?id=" + m.getKey()).toString());
            }
            List<Long> times = nodes[nodes.length - 1].readingTimes(Long.parseLong(m.getKey()));
            assertThat(times).as("meter %s: each reading stored once", m.getKey()).doesNotHaveDuplicates()
                    .hasSize((int) m.getValue().get("sent").asLong());
            checked++;
        }
        assertThat(checked).isPositive();
    }

    /**
     * The invoices on the cluster equal those a lone server computes from the same stored readings:
     * the readings of meters 1-200 (every partition, both nodes' and the moved ones, three times
     * over; all 1,000 would add two minutes to CI), read back from the cluster, are sent in order to
     * a fresh single-node server (SQLite), and both answers of {@code /usuario/fatura/} must match.
     */
    private void assertInvoicesAsOneNodeComputesThem(Path report, ServerProcess cluster) throws Exception {
        JsonNode meters = JSON.readTree(Files.readString(report));
        try (ServerProcess single = ServerProcess.start(dir.resolve("single"), "--store", "sqlite");
                java.net.DatagramSocket socket = new java.net.DatagramSocket()) {
            java.net.InetAddress to = java.net.InetAddress.getLoopbackAddress();
            List<String> ids = new ArrayList<>();
            meters.fieldNames().forEachRemaining(id -> {
                if (Long.parseLong(id) <= 200) {
                    ids.add(id);
                }
            });
            for (String id : ids) {
                single.register(Long.parseLong(id));
                List<org.gridmeter.protocol.Reading> readings = new ArrayList<>();
                long seq = 0;
                for (JsonNode r : cluster.readings(Long.parseLong(id))) {
                    readings.add(new org.gridmeter.protocol.Reading(seq++,
                            java.time.OffsetDateTime.parse(r.get("timestamp").asText()).toInstant().toEpochMilli(),
                            r.get("kwh").decimalValue().movePointRight(6).longValueExact(),
                            r.get("potencia_w").isNull() ? org.gridmeter.protocol.Reading.NO_POWER
                                    : r.get("potencia_w").asInt()));
                }
                for (int from = 0; from < readings.size(); from += 40) { // 40 readings fit a datagram
                    byte[] datagram = org.gridmeter.protocol.V1Codec.encodeReadings(new org.gridmeter.protocol.ReadingBatch(
                            Long.parseLong(id), readings.subList(from, Math.min(readings.size(), from + 40)),
                            org.gridmeter.protocol.Integrity.CRC32C, false), null);
                    socket.send(new java.net.DatagramPacket(datagram, datagram.length, to, single.udpPort));
                }
                String last = ids.get(ids.size() - 1);
                if (id.equals(last) || Long.parseLong(id) % 100 == 0) { // paced: never more than 100 meters in flight
                    long want = readings.size();
                    await().atMost(Duration.ofSeconds(30)).until(() -> single.readingTimes(Long.parseLong(id)).size() == want);
                }
            }
            for (String id : ids) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(single.getJson("/usuario/fatura/?id="
                        + id).toString()).as("invoices of meter %s: cluster vs one node", id)
                        .isEqualTo(cluster.getJson("/usuario/fatura/?id=" + id).toString()));
            }
        }
    }

    /** The time of the first output line of {@code node} containing {@code text} (log lines start with it). */
    private static Instant when(ServerProcess node, String text) {
        for (String line : node.output) {
            if (line.contains(text)) {
                return Instant.parse(line.substring(0, line.indexOf(' ')));
            }
        }
        throw new AssertionError("no line with " + text + " in " + node.output);
    }

    @Test
    void aNodeKilledAndRestartedUnderLossLosesAndDoublesNothing() throws Exception {
        String store = TestStores.storeFor(dir.resolve("cluster"));
        ServerProcess a = node(store, "a");
        ServerProcess b = node(store, "b");
        try {
            awaitSpread(a, 2);
            for (long id = 1; id <= 1000; id++) {
                (id % 2 == 0 ? a : b).register(id); // half of them through the node that does not own them
            }
            Path report = dir.resolve("fleet.json");
            Process fleet = meters(report, "1-1000", "60s", "127.0.0.1:" + a.udpPort, "127.0.0.1:" + b.udpPort);
            long started = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).until(() -> System.nanoTime() - started >= 20_000_000_000L);
            Instant killed = Instant.now();
            a.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // kill -9
            await().atMost(Duration.ofSeconds(30)).until(() -> b.output.stream().anyMatch(l -> l.contains(
                    "partitions_adopted") && l.compareTo(killed.toString()) > 0));
            Instant takenOver = b.output.stream().filter(l -> l.contains("partitions_adopted"))
                    .map(l -> Instant.parse(l.substring(0, l.indexOf(' ')))).filter(t -> t.isAfter(killed))
                    .findFirst().orElseThrow();
            System.out.println("fail-over: node a killed at " + killed + ", node b took its partitions over at "
                    + takenOver + ": " + Duration.between(killed, takenOver).toMillis() + " ms");
            await().atMost(Duration.ofSeconds(30)).until(() -> System.nanoTime() - started >= 40_000_000_000L);
            ServerProcess again = node(store, "a");
            try {
                awaitSpread(again, 2); // partitions move back to the returning node
                assertThat(fleet.waitFor(150, TimeUnit.SECONDS)).as("fleet finished").isTrue();
                assertThat(fleet.exitValue()).as(Files.readString(report.resolveSibling("fleet.json.out"),
                        StandardCharsets.UTF_8)).isZero();
                assertExact(report, again, b);
                assertInvoicesAsOneNodeComputesThem(report, b);
                assertThat(Duration.between(killed, takenOver)).as("lease timeout 10 s plus a few seconds")
                        .isLessThan(Duration.ofSeconds(20));
            } finally {
                again.close();
            }
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void aNodePausedPastItsLeaseIsFencedAndCountsNothingTwice() throws Exception {
        String store = TestStores.storeFor(dir.resolve("fenced"));
        ServerProcess a = node(store, "a", "--lease-timeout", "3s");
        ServerProcess b = node(store, "b", "--lease-timeout", "3s");
        try {
            awaitSpread(a, 2);
            for (long id = 1; id <= 128; id++) {
                a.register(id);
            }
            Path report = dir.resolve("paused.json");
            Process fleet = meters(report, "1-128", "30s", "127.0.0.1:" + b.udpPort, "127.0.0.1:" + a.udpPort);
            // node b's event stream carries a meter that node a owns (PostgreSQL NOTIFY between them)
            int partitionOfA = a.getJson("/cluster").get("particoes_deste_no").get(0).asInt();
            long meterOfA = partitionOfA == 0 ? 64 : partitionOfA;
            List<String> streamed = new java.util.concurrent.CopyOnWriteArrayList<>();
            var stream = java.net.http.HttpClient.newHttpClient().sendAsync(java.net.http.HttpRequest.newBuilder(
                    b.uri("/usuario/tempo-real/?id=" + meterOfA)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofLines()).thenAccept(r -> r.body().forEach(streamed::add));
            await().atMost(Duration.ofSeconds(20)).until(() -> streamed.stream().anyMatch(l -> l.startsWith("data:")
                    && l.contains("\"id\":" + meterOfA)) && streamed.contains("event: leitura"));
            stream.cancel(true);
            signal("STOP", a);
            Instant stopped = Instant.now();
            // b takes every partition while a sleeps (its leases expire: 3 s)
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(b.getJson("/cluster").get("particoes_deste_no").size()).isEqualTo(64));
            signal("CONT", a);
            // a's next commit fails the fencing check: it gives the partitions up, then takes its share back
            await().atMost(Duration.ofSeconds(30)).until(() -> a.output.stream().anyMatch(l -> l.contains("event=fenced")));
            awaitSpread(b, 2);
            assertThat(fleet.waitFor(120, TimeUnit.SECONDS)).as("fleet finished").isTrue();
            assertThat(fleet.exitValue()).isZero();
            assertExact(report, a, b);
            System.out.println("fencing: node a stopped at " + stopped + ", fenced at " + when(a, "event=fenced"));
        } finally {
            signal("CONT", a);
            a.close();
            b.close();
        }
    }

    private static void signal(String name, ServerProcess node) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(node.process.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
}
