package org.gridmeter.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gridmeter.protocol.Integrity;
import org.gridmeter.protocol.Reading;
import org.gridmeter.protocol.ReadingBatch;
import org.gridmeter.server.usage.RecordOutcome;
import org.gridmeter.server.usage.RecordOutcome.Fate;
import org.junit.jupiter.api.Test;

/**
 * The network view told from sequence numbers: each case is what a network (or a meter) does to a
 * datagram, and what the counts must say about it.
 */
class MeterNetworkTest {

    private static final InetSocketAddress FROM = new InetSocketAddress("127.0.0.1", 40000);
    private static final long T0 = 1_767_225_600_000L;
    private static final long INTERVAL = 5_000;

    private final MeterNetwork network = new MeterNetwork(7);
    /** What the store holds, by timestamp: it tells a copy from a reading new to it. */
    private final Map<Long, Long> stored = new HashMap<>();
    private long latestStored = Long.MIN_VALUE;
    /** The server clock when the datagram arrives. */
    private long now = T0;

    /** One datagram with the reading of {@code sequence} (timestamped as the meter made it), arriving at {@code now}. */
    private void arrive(long... sequences) {
        arriveTimed(sequences, sequences);
    }

    /** Readings with the sequence numbers and the times (in intervals from T0) given, arriving at {@code now}. */
    private void arriveTimed(long[] sequences, long[] intervals) {
        Reading[] readings = new Reading[sequences.length];
        Fate[] fates = new Fate[sequences.length];
        for (int i = 0; i < sequences.length; i++) {
            long ts = T0 + intervals[i] * INTERVAL;
            readings[i] = new Reading(sequences[i], ts, 1000 * intervals[i], 100);
            fates[i] = fate(ts, 1000 * intervals[i]);
        }
        network.observe(new ReadingBatch(7, List.of(readings), Integrity.CRC32C, true), RecordOutcome.of(fates), FROM,
                now);
    }

    private Fate fate(long ts, long energy) {
        Long existing = stored.get(ts);
        if (existing != null) {
            return existing == energy ? Fate.DUPLICATE : Fate.CONFLICT;
        }
        stored.put(ts, energy);
        if (ts > latestStored) {
            latestStored = ts;
            return Fate.STORED;
        }
        return Fate.LATE;
    }

    private void later(long millis) {
        now += millis;
    }

    private NetworkView view() {
        return network.view();
    }

    @Test
    void inOrderDatagramsCountNothingButThemselves() {
        for (long s = 0; s < 10; s++) {
            arrive(s);
            later(INTERVAL);
        }
        NetworkView v = view();
        assertThat(v.datagrams()).isEqualTo(10);
        assertThat(v.readings()).isEqualTo(10);
        assertThat(v.lostInTransit()).isZero();
        assertThat(v.duplicates()).isZero();
        assertThat(v.outOfOrder()).isZero();
        assertThat(v.resent()).isZero();
        assertThat(v.lastSequence()).isEqualTo(9);
        assertThat(v.format()).isEqualTo("v1");
        assertThat(v.transport()).isEqualTo("udp");
        assertThat(v.address()).isEqualTo("127.0.0.1:40000");
        assertThat(v.lastHeardMillis()).isEqualTo(now - INTERVAL);
    }

    @Test
    void aSequenceThatNeverArrivesIsLostInTransit() {
        arrive(0);
        arrive(1);
        arrive(4); // 2 and 3 skipped
        arrive(5);
        assertThat(view().lostInTransit()).isEqualTo(2);
        assertThat(view().lastSequence()).isEqualTo(5);
    }

    @Test
    void aCopyWithinASecondIsANetworkDuplicate() {
        arrive(0);
        later(3);
        arrive(0);
        assertThat(view().duplicates()).isEqualTo(1);
        assertThat(view().resent()).isZero();
        assertThat(view().readings()).isEqualTo(2);
    }

    @Test
    void aReadingOvertakenByANewerOneIsOutOfOrderAndFillsItsGap() {
        arrive(0);
        later(INTERVAL);
        arrive(2);
        assertThat(view().lostInTransit()).isEqualTo(1);
        later(20);
        arriveTimed(new long[] {1}, new long[] {1});
        assertThat(view().outOfOrder()).isEqualTo(1);
        assertThat(view().lostInTransit()).isZero();
        assertThat(view().resent()).isZero();
    }

    @Test
    void aGapFilledAfterASecondWasResentByTheMeter() {
        arrive(0);
        later(INTERVAL);
        arrive(2);
        later(1_500); // the meter waited for an ACK of 1 that never came, and resent it
        arriveTimed(new long[] {1}, new long[] {1});
        assertThat(view().resent()).isEqualTo(1);
        assertThat(view().outOfOrder()).isZero();
        assertThat(view().lostInTransit()).isZero();
    }

    @Test
    void aCopyAfterASecondWasResentBecauseItsAckWasLost() {
        arrive(0);
        later(INTERVAL);
        arrive(1);
        later(2_000);
        arriveTimed(new long[] {1, 2}, new long[] {1, 2}); // the resend goes out with the next reading
        assertThat(view().resent()).isEqualTo(1);
        assertThat(view().duplicates()).isZero();
        assertThat(view().lastSequence()).isEqualTo(2);
    }

    @Test
    void oldReadingsResentLongAfterAreResentNotDuplicates() {
        arrive(0);
        for (long s = 1; s <= 40; s++) { // more advances than the view keeps times of
            later(INTERVAL);
            arrive(s);
        }
        later(10);
        arriveTimed(new long[] {0}, new long[] {0});
        assertThat(view().resent()).isEqualTo(1);
        assertThat(view().duplicates()).isZero();
    }

    @Test
    void aMeterRestartingAtZeroStartsANewRunKeepingWhatWasLostBefore() {
        arrive(0);
        arrive(2); // 1 lost
        later(INTERVAL);
        arriveTimed(new long[] {0}, new long[] {5}); // sequence 0 again, but a newer reading: the meter restarted
        assertThat(view().lastSequence()).isZero();
        assertThat(view().duplicates()).isZero();
        assertThat(view().resent()).isZero();
        assertThat(view().lostInTransit()).isEqualTo(1);
        later(INTERVAL);
        arriveTimed(new long[] {1}, new long[] {6});
        assertThat(view().lostInTransit()).isEqualTo(1);
        assertThat(view().lastSequence()).isEqualTo(1);
    }

    @Test
    void sequenceNumbersWrapAroundWithoutLossOrRestart() {
        arriveTimed(new long[] {0xFFFF_FFFEL}, new long[] {0});
        arriveTimed(new long[] {0xFFFF_FFFFL}, new long[] {1});
        arriveTimed(new long[] {0}, new long[] {2});
        arriveTimed(new long[] {2}, new long[] {4});
        assertThat(view().lostInTransit()).isEqualTo(1);
        assertThat(view().lastSequence()).isEqualTo(2);
        later(5);
        arriveTimed(new long[] {1}, new long[] {3});
        assertThat(view().lostInTransit()).isZero();
        assertThat(view().outOfOrder()).isEqualTo(1);
    }

    @Test
    void legacyDatagramsCountByTimestampAndLeaveSequenceCountsUnknown() {
        long ts = T0;
        network.observe(legacy(ts), RecordOutcome.of(Fate.STORED), FROM, now);
        network.observe(legacy(ts), RecordOutcome.of(Fate.DUPLICATE), FROM, now);
        network.observe(legacy(ts - INTERVAL), RecordOutcome.of(Fate.LATE), FROM, now);
        NetworkView v = view();
        assertThat(v.format()).isEqualTo("legado");
        assertThat(v.datagrams()).isEqualTo(3);
        assertThat(v.duplicates()).isEqualTo(1);
        assertThat(v.outOfOrder()).isEqualTo(1);
        assertThat(v.lostInTransit()).isNull();
        assertThat(v.resent()).isNull();
        assertThat(v.lastSequence()).isNull();
    }

    private static ReadingBatch legacy(long ts) {
        return new ReadingBatch(7, List.of(new Reading(Reading.NO_SEQUENCE, ts, 1000, Reading.NO_POWER)),
                Integrity.LEGACY_MD5, false);
    }
}
