package org.gridmeter.server.ingest;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.gridmeter.protocol.ReadingBatch;
import org.gridmeter.server.usage.RecordOutcome;

/**
 * Every registered meter's {@link MeterNetwork}: updated by the writer for each datagram it
 * records, published to readers when the transaction commits (like the meters' usage), kept in
 * memory only — the counts are since the server started. Readers call {@link #view(long)} from any
 * thread.
 */
public final class MeterNetworks {

    private final Map<Long, MeterNetwork> meters = new HashMap<>();
    private final List<MeterNetwork> unpublished = new ArrayList<>();
    private final ConcurrentHashMap<Long, NetworkView> views = new ConcurrentHashMap<>();

    /** Writer thread: one datagram of a registered meter, and what the store made of it. */
    public void observe(ReadingBatch batch, RecordOutcome outcome, InetSocketAddress from, long now) {
        MeterNetwork meter = meters.computeIfAbsent(batch.meterId(), MeterNetwork::new);
        meter.observe(batch, outcome, from, now);
        if (!meter.unpublished) {
            meter.unpublished = true;
            unpublished.add(meter);
        }
    }

    /** Writer thread, after a commit: readers see what the committed datagrams did. */
    public void publish() {
        for (MeterNetwork meter : unpublished) {
            meter.unpublished = false;
            NetworkView view = meter.view();
            if (meters.get(view.meterId()) == meter) { // not forgotten in the meantime
                views.put(view.meterId(), view);
            }
        }
        unpublished.clear();
    }

    /** Writer thread: the user was deleted. */
    public void forget(long meterId) {
        meters.remove(meterId);
        views.remove(meterId);
    }

    /** The meter's network view as last committed, or {@code null} if none of its datagrams was. Any thread. */
    public NetworkView view(long meterId) {
        return views.get(meterId);
    }
}
