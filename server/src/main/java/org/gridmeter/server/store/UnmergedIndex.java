package org.gridmeter.server.store;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Which readings of each meter are not in the {@code readings} table yet: handles (payload sequence
 * number, position in it) into the reading log's memory, in the order added, so that the writer can
 * decide a duplicate or a late reading by looking at a few of the meter's readings instead of
 * merging the whole log. A meter has a few entries (those of the last seconds). Writer thread only.
 */
final class UnmergedIndex {

    private static final long[] NONE = new long[0];

    /** A meter's handles: {@code [0..size)} of {@code handles}, oldest first (so also by payload). */
    private static final class Entries {
        long[] handles = new long[4];
        int size;
    }

    private final Map<Long, Entries> byMeter = new HashMap<>();

    static long handle(long payloadSeq, int position) {
        return payloadSeq << 32 | position;
    }

    static long seq(long handle) {
        return handle >>> 32;
    }

    static int position(long handle) {
        return (int) handle;
    }

    void add(long meterId, long handle) {
        Entries e = byMeter.computeIfAbsent(meterId, id -> new Entries());
        if (e.size == e.handles.length) {
            e.handles = Arrays.copyOf(e.handles, e.size * 2);
        }
        e.handles[e.size++] = handle;
    }

    /** The meter's handles, oldest first (a copy). */
    long[] handles(long meterId) {
        Entries e = byMeter.get(meterId);
        return e == null ? NONE : Arrays.copyOf(e.handles, e.size);
    }

    /** Forgets the handles into payloads up to {@code lastSeq}: a merge put those readings in the table. */
    void dropUpTo(long lastSeq) {
        for (Iterator<Entries> it = byMeter.values().iterator(); it.hasNext(); ) {
            Entries e = it.next();
            int keep = 0;
            while (keep < e.size && seq(e.handles[keep]) <= lastSeq) {
                keep++;
            }
            if (keep == e.size) {
                it.remove();
            } else if (keep > 0) {
                System.arraycopy(e.handles, keep, e.handles, 0, e.size - keep);
                e.size -= keep;
            }
        }
    }

    void clear() {
        byMeter.clear();
    }
}
