package org.gridmeter.server.usage;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest {@link MeterSnapshot} of every meter, written by the writer thread and read by any
 * thread without locks.
 */
public final class LiveMeters {

    private final ConcurrentHashMap<Long, MeterSnapshot> snapshots = new ConcurrentHashMap<>();

    void publish(MeterSnapshot snapshot) {
        snapshots.put(snapshot.meterId(), snapshot);
    }

    void remove(long meterId) {
        snapshots.remove(meterId);
    }

    /** The meter's snapshot, or {@code null} if it was never heard. */
    public MeterSnapshot get(long meterId) {
        return snapshots.get(meterId);
    }

    public int size() {
        return snapshots.size();
    }

    /** Readings stored over all meters. */
    public long totalReadings() {
        long sum = 0;
        for (MeterSnapshot s : snapshots.values()) {
            sum += s.readings();
        }
        return sum;
    }
}
