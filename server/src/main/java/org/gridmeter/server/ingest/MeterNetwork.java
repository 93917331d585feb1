package org.gridmeter.server.ingest;

import java.net.InetSocketAddress;
import java.util.List;
import org.gridmeter.protocol.Reading;
import org.gridmeter.protocol.ReadingBatch;
import org.gridmeter.server.usage.RecordOutcome;
import org.gridmeter.server.usage.RecordOutcome.Fate;

/**
 * What the network did to one meter's datagrams, told from their sequence numbers (docs/api.md,
 * "The network view"). Every reading that arrives is one of:
 * <ul>
 * <li>the next one, or one further ahead: the sequence numbers skipped are <em>lost in transit</em>
 * until one of them arrives;</li>
 * <li>behind the highest sequence number, and new to the store: it fills a gap — <em>out of
 * order</em> if it came less than {@value #RESEND_AFTER_MILLIS} ms after the gap opened (the
 * network reordered it), <em>resent</em> otherwise (the meter sent it again: no ACK came);</li>
 * <li>behind or at the highest, and stored already: a copy — a <em>duplicate</em> if it came less than
 * {@value #RESEND_AFTER_MILLIS} ms after the original (the network duplicated it), <em>resent</em>
 * otherwise (the meter sent it again: its ACK was lost).</li>
 * </ul>
 * A reading behind the highest but newer (by timestamp) than the highest's reading starts a new run:
 * the meter restarted and its sequence numbers with it. Whether a reading is new to the store is the
 * writer's own {@link RecordOutcome}, so no per-sequence memory is needed: what is kept is the counts
 * and when the highest sequence number passed each value lately. Legacy datagrams carry no sequence
 * numbers: they count datagrams, readings, duplicates and late readings by timestamp only.
 * Writer thread only; readers see {@link #view()} copies.
 */
final class MeterNetwork {

    /** A gap filled, or a copy received, this long after it could first have come is a resend. */
    static final long RESEND_AFTER_MILLIS = 1_000;
    /** Advances of the highest sequence number within this long share one entry of {@link #passTimes}. */
    private static final long PASS_GRAIN_MILLIS = 200;
    private static final int PASSES = 8;
    private static final long SEQUENCE_MASK = 0xFFFF_FFFFL;

    private final long meterId;
    private long datagrams;
    private long readings;
    private long missing;
    private long duplicates;
    private long outOfOrder;
    private long resent;
    private boolean legacy;
    private boolean started;
    private long highest;
    private long highestTimestamp;
    private long lastHeardMillis;
    private InetSocketAddress address;
    /** When (server clock) the highest sequence number reached {@link #passHighs}, oldest first, a ring. */
    private final long[] passTimes = new long[PASSES];
    private final long[] passHighs = new long[PASSES];
    private int passCount;
    /** Changed since it was last published. */
    boolean unpublished;

    MeterNetwork(long meterId) {
        this.meterId = meterId;
    }

    /** One datagram of this meter, arrived at {@code now} from {@code from}, and what the store made of it. */
    void observe(ReadingBatch batch, RecordOutcome outcome, InetSocketAddress from, long now) {
        datagrams++;
        lastHeardMillis = now;
        address = from;
        List<Reading> list = batch.readings();
        readings += list.size();
        for (int i = 0; i < list.size(); i++) {
            Reading reading = list.get(i);
            Fate fate = outcome.fate(i);
            if (reading.sequence() == Reading.NO_SEQUENCE) {
                legacy = true;
                countByTimestamp(fate);
            } else {
                legacy = false;
                observe(reading.sequence(), reading.timestampMillis(), fate, now);
            }
        }
    }

    private void countByTimestamp(Fate fate) {
        if (fate == Fate.DUPLICATE || fate == Fate.CONFLICT) {
            duplicates++;
        } else if (fate == Fate.LATE) {
            outOfOrder++;
        }
    }

    private void observe(long sequence, long timestamp, Fate fate, long now) {
        long ahead = (sequence - highest) & SEQUENCE_MASK;
        boolean behindOrAt = ahead == 0 || ahead > Integer.MAX_VALUE;
        if (!started || behindOrAt && timestamp > highestTimestamp) {
            newRun(sequence, timestamp, now);
        } else if (!behindOrAt) {
            missing += ahead - 1;
            highest = sequence;
            highestTimestamp = timestamp;
            passed(sequence, now);
        } else if (fate == Fate.DUPLICATE || fate == Fate.CONFLICT) {
            if (now - passedAt(sequence) >= RESEND_AFTER_MILLIS) {
                resent++;
            } else {
                duplicates++;
            }
        } else if (fate == Fate.LATE || fate == Fate.STORED) {
            missing = Math.max(0, missing - 1);
            if (now - passedAt(sequence) >= RESEND_AFTER_MILLIS) {
                resent++;
            } else {
                outOfOrder++;
            }
        }
        // anything else (too old for the retention) arrived, and is counted as received only
    }

    /** The meter (re)started counting: gaps of the run before stay counted as lost. */
    private void newRun(long sequence, long timestamp, long now) {
        started = true;
        highest = sequence;
        highestTimestamp = timestamp;
        passCount = 0;
        passed(sequence, now);
    }

    private void passed(long sequence, long now) {
        if (passCount > 0 && now - passTimes[(passCount - 1) % PASSES] < PASS_GRAIN_MILLIS) {
            passHighs[(passCount - 1) % PASSES] = sequence; // the entry's (earlier) time stands for this one too
            return;
        }
        passTimes[passCount % PASSES] = now;
        passHighs[passCount % PASSES] = sequence;
        passCount++;
    }

    /**
     * When the highest sequence number first reached {@code sequence} (at or behind the highest): the
     * earliest a reading with it could have arrived. Older than every entry kept: the oldest entry's
     * time, which is later than the truth.
     */
    private long passedAt(long sequence) {
        int oldest = Math.max(0, passCount - PASSES);
        for (int n = oldest; n < passCount; n++) {
            long high = passHighs[n % PASSES];
            if (((high - sequence) & SEQUENCE_MASK) <= Integer.MAX_VALUE) { // high is at or after sequence
                return passTimes[n % PASSES];
            }
        }
        return passTimes[oldest % PASSES];
    }

    NetworkView view() {
        return new NetworkView(meterId, "udp", legacy ? "legado" : "v1", datagrams, readings, legacy ? null : missing,
                duplicates, outOfOrder, legacy ? null : resent, legacy || !started ? null : highest, lastHeardMillis,
                address == null ? null : address.getAddress().getHostAddress() + ":" + address.getPort());
    }
}
