package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.gridmeter.protocol.Ack;
import org.gridmeter.protocol.Reading;
import org.gridmeter.protocol.SequenceRange;
import org.gridmeter.server.ingest.IngestPipeline;
import org.gridmeter.server.store.SqlStore;
import org.gridmeter.server.users.User;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --max-rate} against the real server: one meter floods while a thousand others send as
 * meters do; the flood is cut to the limit, and every other meter is stored and acknowledged.
 */
class RateLimitIntegrationTest {

    private static final int WELL_BEHAVED = 1000;
    private static final int FLOOD = 2000;

    @TempDir
    Path dir;

    @Test
    void oneMeterFloodingIsCutToItsRateAndTheOthersAreServedAsBefore() throws Exception {
        try (SqlStore store = TestStores.openStore(dir)) {
            for (long id = 1; id <= WELL_BEHAVED + 1; id++) {
                store.users().insert(new User(id, "user " + id, "rua " + id, TestServer.NOW, null));
            }
            store.commit();
        }
        try (TestServer server = TestServer.start(dir, "--max-rate", "50"); TestMeter meters = new TestMeter(server)) {
            var metrics = server.server.metrics();
            Thread flooder = new Thread(() -> { // meter 1: 2,000 datagrams in about a second
                long start = System.nanoTime();
                for (int i = 0; i < FLOOD; i++) {
                    server.send(1, new Reading(i, TestServer.NOW - 3_600_000L + i * 1000L, i * 10L, 100));
                    LockSupport.parkNanos(start + (i + 1) * 500_000L - System.nanoTime());
                }
            });
            Set<String> acked = java.util.concurrent.ConcurrentHashMap.newKeySet();
            Thread receiver = new Thread(() -> { // read ACKs as they come: 3,000 would overflow the socket's buffer
                while (acked.size() < 3 * WELL_BEHAVED) {
                    Ack ack = meters.ack();
                    for (SequenceRange r : ack.ranges()) {
                        for (long s = r.first(); s <= r.last(); s++) {
                            acked.add(ack.meterId() + ":" + s);
                        }
                    }
                }
            });
            receiver.start();
            long started = System.nanoTime();
            flooder.start();
            for (int round = 0; round < 3; round++) { // the others: three readings each, ACKs asked
                for (long id = 2; id <= WELL_BEHAVED + 1; id++) {
                    meters.send(id, new Reading(round, TestServer.NOW - (3 - round) * 5000L, round * 1000L, 720));
                }
            }
            receiver.join(30_000);
            assertThat(acked).as("every well-behaved reading acknowledged (received %d, accepted %d, rejected %d, acks "
                    + "sent %d, stored %d)", metrics.datagramsReceived.sum(), metrics.datagramsAccepted.sum(),
                    metrics.rejectedTotal(), metrics.acksSent.sum(), metrics.readingsStored.sum())
                    .hasSize(3 * WELL_BEHAVED);
            flooder.join();
            // the flood's last datagrams may still wait in the socket: every one is read and counted, and
            // the limit allows 50 a second for as long as that took
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> metrics.datagramsReceived.sum() >= 3L * WELL_BEHAVED + FLOOD);
            double seconds = (System.nanoTime() - started) / 1e9;

            long floodAccepted = metrics.datagramsAccepted.sum() - 3L * WELL_BEHAVED;
            assertThat(floodAccepted).as("a burst of 50, then 50 a second").isBetween(50L,
                    50L + (long) Math.ceil(50 * seconds));
            assertThat(metrics.rejectedCount(IngestPipeline.RATE_LIMITED)).isEqualTo(FLOOD - floodAccepted);
            assertThat(metrics.rejectedCount(IngestPipeline.QUEUE_FULL)).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> TestServer.json(server.get("/usuario/?id=2"))
                    .get("consumo_total_kwh").decimalValue().signum() > 0);
            for (int page = 1; page <= WELL_BEHAVED / 200 + 1; page++) {
                JsonNode table = TestServer.json(server.get("/painel/medidores/?por_pagina=200&pagina=" + page));
                for (JsonNode m : table.get("medidores")) {
                    if (m.get("id").asLong() != 1) {
                        assertThat(m.get("consumo_total_kwh").decimalValue()).as("meter " + m.get("id"))
                                .isEqualByComparingTo("0.002");
                    }
                }
            }
        }
    }
}
