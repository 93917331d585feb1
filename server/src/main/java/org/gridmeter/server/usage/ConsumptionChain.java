package org.gridmeter.server.usage;

import java.util.ArrayList;
import java.util.List;
import org.gridmeter.protocol.Reading;

/**
 * The rules that turn one meter's cumulative readings, fed in timestamp order, into consumption
 * (docs/api.md, "How readings count"). Pure and single-threaded; it stores nothing.
 *
 * <ul>
 *   <li>At or above the level (the last normal or reset reading; 0 before the first): consumption is
 *       the difference, and the reading becomes the level.</li>
 *   <li>Below the level with a sequence number lower than the previous reading's: the meter restarted,
 *       so its counter did too: a {@link ReadingKind#RESET}, consumption = the reading's value.</li>
 *   <li>Otherwise below the level: {@link ReadingKind#PENDING}. The next reading decides: back at or
 *       above the level, the pending one was a {@link ReadingKind#GLITCH} (consumption 0, no spike);
 *       still below, the counter was reset at the pending reading.</li>
 * </ul>
 * The sum of consumption is therefore never negative, and a one-reading glitch never shows up.
 */
public final class ConsumptionChain {

    /**
     * A reading's consumption is decided: {@code deltaMwh} with {@code kind}, consumed over
     * {@code (fromMillis, timestampMillis]} ({@code fromMillis == timestampMillis} when nothing came
     * before it), and its power if it had none.
     */
    public record Decision(long timestampMillis, long deltaMwh, ReadingKind kind, Integer derivedPowerW,
            long fromMillis) {

        /** A decision with no consumption (glitch, pending). */
        static Decision none(long timestampMillis, ReadingKind kind) {
            return new Decision(timestampMillis, 0, kind, null, timestampMillis);
        }
    }

    /** A reading the chain has seen. */
    public record Point(long timestampMillis, long energyMwh, long sequence) {
    }

    private long levelMwh;
    private long levelTimestamp = Long.MIN_VALUE;
    private long lastSequence = Reading.NO_SEQUENCE;
    private Point pending;

    /** A chain at its very start: level 0, nothing seen. */
    public ConsumptionChain() {
    }

    /**
     * A chain resumed after {@code level} (the last normal or reset reading, or {@code null} if
     * none) with {@code pending} undecided and {@code lastSequence} the sequence of the last reading fed.
     */
    public ConsumptionChain(Point level, Point pending, long lastSequence) {
        if (level != null) {
            this.levelMwh = level.energyMwh();
            this.levelTimestamp = level.timestampMillis();
        }
        this.pending = pending;
        this.lastSequence = lastSequence;
    }

    public long levelMwh() {
        return levelMwh;
    }

    public long levelTimestamp() {
        return levelTimestamp;
    }

    public Point pending() {
        return pending;
    }

    public long lastSequence() {
        return lastSequence;
    }

    /**
     * Feeds the next reading in timestamp order.
     *
     * @param powerW the reading's own power, or {@link Reading#NO_POWER} to derive it from consumption
     * @return the decisions this reading makes: its own, preceded by the pending reading's if it settles it
     */
    public List<Decision> feed(long timestampMillis, long energyMwh, long sequence, int powerW) {
        List<Decision> decisions = new ArrayList<>(2);
        long previousSequence = lastSequence;
        lastSequence = sequence;
        if (pending != null) {
            if (energyMwh >= levelMwh) {
                decisions.add(Decision.none(pending.timestampMillis(), ReadingKind.GLITCH));
                pending = null;
            } else {
                decisions.add(settleReset(pending, Reading.NO_POWER));
                pending = null;
            }
        } else if (energyMwh < levelMwh && restarted(previousSequence, sequence)) {
            decisions.add(settleReset(new Point(timestampMillis, energyMwh, sequence), powerW));
            return decisions;
        }
        if (energyMwh >= levelMwh) {
            Integer derived = powerW == Reading.NO_POWER ? power(energyMwh - levelMwh, timestampMillis) : null;
            decisions.add(new Decision(timestampMillis, energyMwh - levelMwh, ReadingKind.NORMAL, derived,
                    since(timestampMillis)));
            levelMwh = energyMwh;
            levelTimestamp = timestampMillis;
        } else {
            pending = new Point(timestampMillis, energyMwh, sequence);
            decisions.add(Decision.none(timestampMillis, ReadingKind.PENDING));
        }
        return decisions;
    }

    private Decision settleReset(Point point, int powerW) {
        Integer derived = powerW == Reading.NO_POWER ? power(point.energyMwh(), point.timestampMillis()) : null;
        long from = since(point.timestampMillis());
        levelMwh = point.energyMwh();
        levelTimestamp = point.timestampMillis();
        return new Decision(point.timestampMillis(), point.energyMwh(), ReadingKind.RESET, derived, from);
    }

    /** Where consumption measured at {@code timestampMillis} started: the level's time, if any. */
    private long since(long timestampMillis) {
        return levelTimestamp == Long.MIN_VALUE || levelTimestamp >= timestampMillis ? timestampMillis : levelTimestamp;
    }

    private static boolean restarted(long previousSequence, long sequence) {
        return previousSequence != Reading.NO_SEQUENCE && sequence != Reading.NO_SEQUENCE && sequence < previousSequence;
    }

    /** Average watts over the time since the level: 1 mWh per ms is 3,600 W. Null if unknown. */
    private Integer power(long deltaMwh, long timestampMillis) {
        if (levelTimestamp == Long.MIN_VALUE || timestampMillis <= levelTimestamp) {
            return null;
        }
        double watts = (double) deltaMwh * 3600 / (timestampMillis - levelTimestamp);
        return (int) Math.round(Math.min(Integer.MAX_VALUE, watts));
    }
}
