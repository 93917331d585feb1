package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.gridmeter.protocol.Ack;
import org.gridmeter.protocol.Reading;
import org.gridmeter.protocol.Refusal;
import org.gridmeter.protocol.RefusalReason;
import org.gridmeter.protocol.SequenceRange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an ACK covers (PROTOCOL.md 1.5) and what a refusal says (1.6), over real UDP. */
class AckIntegrationTest {

    /** An hour before the server's clock, so readings are never in the future nor past the retention. */
    private static final long T0 = TestServer.NOW - 3_600_000L;

    @TempDir
    Path dir;
    private TestServer server;
    private TestMeter meter;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(dir, "--orphan-limit", "1", "--retention", "1d");
        meter = new TestMeter(server);
    }

    @AfterEach
    void stop() {
        meter.close();
        server.close();
    }

    private static Reading at(long seq, long second, long mwh) {
        return new Reading(seq, T0 + second * 1000, mwh, 600);
    }

    private static SequenceRange range(long first, long last) {
        return new SequenceRange(first, last);
    }

    @Test
    void aBatchOutOfOrderIsAcknowledgedAsExactlyItsSequences() {
        server.register(1);
        meter.send(1, at(20, 0, 1000), at(30, 10, 3000), at(25, 5, 2000));

        Ack ack = meter.ack();

        assertThat(ack.ranges()).containsExactly(range(20, 20), range(25, 25), range(30, 30));
        assertThat(ack.covers(21)).as("never a sequence that was not sent").isFalse();
    }

    @Test
    void aBatchThatWrapsIsTwoRanges() {
        server.register(1);
        meter.send(1, at(4_294_967_294L, 0, 1000), at(4_294_967_295L, 5, 2000), at(0, 10, 3000));

        assertThat(meter.ack().ranges()).containsExactly(range(0, 0), range(4_294_967_294L, 4_294_967_295L));
    }

    @Test
    void aDuplicateIsAcknowledgedAgainAndAConflictIsRefused() {
        server.register(1);
        meter.send(1, at(0, 0, 1000), at(1, 5, 2000));
        assertThat(meter.ack().ranges()).containsExactly(range(0, 1));

        meter.send(1, at(1, 5, 2000), at(2, 10, 3000)); // a resend of 1 (same value), and 2
        assertThat(meter.ack().ranges()).as("a duplicate is stored: acknowledged").containsExactly(range(1, 2));

        meter.send(1, at(0, 0, 1500), at(3, 15, 4000)); // 0 again with another value
        assertThat(meter.ack().ranges()).containsExactly(range(3, 3));
        assertThat(meter.reply()).as("the conflicting value was thrown away: refused for good")
                .isEqualTo(new Refusal(1, RefusalReason.CONFLICT, List.of(range(0, 0))));
        assertThat(server.user(1).get("consumo_total_kwh").decimalValue()).isEqualByComparingTo("0.004");
    }

    @Test
    void aReadingOlderThanTheRetentionIsRefusedAndTheRestStored() {
        server.register(1);
        long twoDaysAgo = T0 - 2 * 86_400_000L;
        meter.send(1, new Reading(7, twoDaysAgo, 500, 600), at(8, 0, 1000));

        assertThat(meter.ack().ranges()).containsExactly(range(8, 8));
        assertThat(meter.reply()).isEqualTo(new Refusal(1, RefusalReason.TOO_OLD, List.of(range(7, 7))));
        assertThat(server.server.metrics().readingsTooOld.sum()).isEqualTo(1);
        assertThat(TestServer.json(server.get("/usuario/consumo/?id=1")).get("consumo")).hasSize(1);
    }

    @Test
    void anUnregisteredMetersReadingIsAcknowledgedWhileKeptAndNotAnsweredWhenDropped() {
        meter.send(5, at(0, 0, 100));
        assertThat(meter.ack()).as("kept as an orphan: stored").isEqualTo(new Ack(5, 0, 0));

        meter.send(6, at(0, 0, 100)); // past --orphan-limit 1: dropped, may be stored later
        server.register(1);
        meter.send(1, at(0, 0, 100));

        assertThat(meter.reply()).as("nothing was said of meter 6; the next reply is meter 1's")
                .isEqualTo(new Ack(1, 0, 0));
        assertThat(server.server.metrics().readingsOrphanDropped.sum()).isEqualTo(1);
    }

    @Test
    void anAckMeansTheReadingIsAlreadyListed() {
        server.register(1);
        for (int i = 0; i < 20; i++) {
            meter.send(1, at(i, i, 1000L * (i + 1)));
            meter.ack();
            assertThat(TestServer.json(server.get("/usuario/consumo/?id=1")).get("consumo"))
                    .as("listed as soon as acknowledged").hasSize(i + 1);
        }
    }
}
