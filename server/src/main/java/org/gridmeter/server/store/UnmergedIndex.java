package org.gridmeter.server.store;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Which readings of each meter are not in the {@code readings} table yet: for each, its timestamp
 * and a handle (payload sequence number, position in it) into the reading log's memory, so that the
 * writer can decide a duplicate or a late reading by looking at a few of the meter's readings
 * instead of merging the whole log. A reading has one entry, pointing at its newest version. A
 * meter has the entries of the last seconds. Writer thread only.
 */
final class UnmergedIndex {

    /** A meter's entries {@code [0..size)}, in the order first added. */
    static final class Entries {
        long[] handles = new long[4];
        long[] timestamps = new long[4];
        int size;

        long handle(int i) {
            return handles[i];
        }

        long timestamp(int i) {
            return timestamps[i];
        }

        int size() {
            return size;
        }

        /** Entry {@code i} now points at a newer version of its reading. */
        void replace(int i, long handle) {
            handles[i] = handle;
        }
    }

    private static final Entries NONE = new Entries();

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

    void add(long meterId, long timestamp, long handle) {
        Entries e = byMeter.get(meterId);
        if (e == null) {
            e = new Entries();
            byMeter.put(meterId, e);
        }
        if (e.size == e.handles.length) {
            e.handles = Arrays.copyOf(e.handles, e.size * 2);
            e.timestamps = Arrays.copyOf(e.timestamps, e.size * 2);
        }
        e.handles[e.size] = handle;
        e.timestamps[e.size++] = timestamp;
    }

    /** The meter's entries, oldest first; read before the next change. */
    Entries of(long meterId) {
        Entries e = byMeter.get(meterId);
        return e == null ? NONE : e;
    }

    /** Forgets the entries pointing into payloads up to {@code lastSeq}: a merge put those readings in the table. */
    void dropUpTo(long lastSeq) {
        for (Iterator<Entries> it = byMeter.values().iterator(); it.hasNext(); ) {
            Entries e = it.next();
            int kept = 0;
            for (int i = 0; i < e.size; i++) {
                if (seq(e.handles[i]) > lastSeq) {
                    e.handles[kept] = e.handles[i];
                    e.timestamps[kept++] = e.timestamps[i];
                }
            }
            e.size = kept;
            if (kept == 0) {
                it.remove();
            }
        }
    }

    void clear() {
        byMeter.clear();
    }
}
