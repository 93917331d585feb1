package org.gridmeter.server.store;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.gridmeter.server.usage.MeterState;

/**
 * The effects a log row holds beside its readings ({@code reading_log.effects}): a sequence of
 * records, each {@code tag (1 byte), position (int: how many of the row's readings come before it),
 * meter id (long)}, then for a consumption change {@code from, to, mWh} (longs), for a meter state
 * the fields of {@link MeterState.Saved} in order (longs; the power an int, {@code Integer.MIN_VALUE}
 * for none). Big-endian. Writer thread for writing; decoding is pure.
 */
final class LoggedEffects {

    private static final byte CONSUMED = 1;
    private static final byte STATE = 2;
    private static final int NO_POWER = Integer.MIN_VALUE;
    private static final int HEADER = 1 + 4 + 8;
    private static final int CONSUMED_BYTES = HEADER + 3 * 8;
    private static final int STATE_BYTES = HEADER + 18 * 8 + 4;

    private ByteBuffer buffer = ByteBuffer.allocate(4096);

    boolean isEmpty() {
        return buffer.position() == 0;
    }

    void consumed(int position, long meterId, long fromMillis, long toMillis, long deltaMwh) {
        room(CONSUMED_BYTES);
        buffer.put(CONSUMED).putInt(position).putLong(meterId).putLong(fromMillis).putLong(toMillis).putLong(deltaMwh);
    }

    void state(int position, MeterState.Saved s) {
        room(STATE_BYTES);
        buffer.put(STATE).putInt(position).putLong(s.meterId()).putLong(s.totalMwh()).putLong(s.levelMwh())
                .putLong(s.levelTimestampMillis()).putLong(s.lastSequence()).putLong(s.pendingTimestampMillis())
                .putLong(s.pendingEnergyMwh()).putLong(s.pendingSequence()).putLong(s.firstTimestampMillis())
                .putLong(s.lastTimestampMillis()).putLong(s.lastEnergyMwh())
                .putInt(s.lastPowerW() == null ? NO_POWER : s.lastPowerW()).putLong(s.lastHeardMillis())
                .putLong(s.readings()).putLong(s.resets()).putLong(s.glitches()).putLong(s.conflicts())
                .putLong(s.trimmedBeforeMillis()).putLong(s.exportedTotalMwh()).putLong(s.lastExportedMwh());
    }

    private void room(int bytes) {
        if (buffer.remaining() < bytes) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + bytes));
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
        }
    }

    /** What was written since the last {@link #clear}, or {@code null} if nothing. */
    byte[] bytes() {
        if (isEmpty()) {
            return null;
        }
        byte[] bytes = new byte[buffer.position()];
        buffer.duplicate().flip().get(bytes);
        return bytes;
    }

    void clear() {
        buffer.clear();
    }

    /** A decoded record and the position among its row's readings it follows. */
    record Positioned(int position, LogItem item) {
    }

    /** Every record of {@code effects} ({@code null}: none), in order. */
    static List<Positioned> decode(byte[] effects) {
        List<Positioned> items = new ArrayList<>();
        forEach(effects, -1, items::add);
        return items;
    }

    /** The consumption changes of meter {@code meterId} in {@code effects} ({@code null}: none). */
    static void consumed(byte[] effects, long meterId, Consumer<LogItem.Consumed> sink) {
        forEach(effects, meterId, p -> {
            if (p.item() instanceof LogItem.Consumed c) {
                sink.accept(c);
            }
        });
    }

    private static void forEach(byte[] effects, long onlyMeter, Consumer<Positioned> sink) {
        if (effects == null) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(effects);
        while (b.hasRemaining()) {
            byte tag = b.get();
            int position = b.getInt();
            long meterId = b.getLong();
            boolean wanted = onlyMeter < 0 || meterId == onlyMeter;
            if (tag == CONSUMED) {
                long from = b.getLong();
                long to = b.getLong();
                long delta = b.getLong();
                if (wanted) {
                    sink.accept(new Positioned(position, new LogItem.Consumed(meterId, from, to, delta)));
                }
            } else if (tag == STATE) {
                if (!wanted) {
                    b.position(b.position() + STATE_BYTES - HEADER);
                    continue;
                }
                long total = b.getLong();
                long level = b.getLong();
                long levelTs = b.getLong();
                long lastSeq = b.getLong();
                long pendingTs = b.getLong();
                long pendingEnergy = b.getLong();
                long pendingSeq = b.getLong();
                long firstTs = b.getLong();
                long lastTs = b.getLong();
                long lastEnergy = b.getLong();
                int power = b.getInt();
                long lastHeard = b.getLong();
                long readings = b.getLong();
                long resets = b.getLong();
                long glitches = b.getLong();
                long conflicts = b.getLong();
                long trimmed = b.getLong();
                long exportedTotal = b.getLong();
                long lastExported = b.getLong();
                sink.accept(new Positioned(position, new LogItem.State(new MeterState.Saved(meterId, total, level,
                        levelTs, lastSeq, pendingTs, pendingEnergy, pendingSeq, firstTs, lastTs, lastEnergy,
                        power == NO_POWER ? null : power, lastHeard, readings, resets, glitches, conflicts, trimmed,
                        exportedTotal, lastExported))));
            } else {
                throw new IllegalStateException("reading_log effects: unknown record " + tag
                        + " (written by a newer server?)");
            }
        }
    }
}
