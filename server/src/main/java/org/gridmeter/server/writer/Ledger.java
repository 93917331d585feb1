package org.gridmeter.server.writer;

import java.sql.SQLException;
import java.util.List;
import org.gridmeter.protocol.ReadingBatch;
import org.gridmeter.server.alerts.AlertEvaluator;
import org.gridmeter.server.billing.Biller;
import org.gridmeter.server.billing.Invoice;
import org.gridmeter.server.ingest.MeterNetworks;
import org.gridmeter.server.store.LogItem;
import org.gridmeter.server.store.SqlStore;
import org.gridmeter.server.usage.MeterState;
import org.gridmeter.server.usage.RecordOutcome;
import org.gridmeter.server.usage.Rollups;
import org.gridmeter.server.usage.StoredReading;
import org.gridmeter.server.usage.UsageRecorder;
import org.gridmeter.server.users.UserDirectory;
import org.gridmeter.server.users.UserRegistry;

/**
 * Everything the writer does with a datagram, in order: the usage rules (which tell the rollups,
 * the biller and the power windows every change of consumption), then invoices that the readings
 * close, then the alert rules. It also decides which commits are checkpoints (every state saved;
 * see the store's reading log): a periodic one, and any whose changes a replay of the log could not
 * redo. Writer thread only.
 */
final class Ledger implements UserRegistry.Meters {

    /**
     * A commit that changed at most this many meters is a checkpoint anyway: it costs little, and a
     * restart then has little to replay.
     */
    private final int smallCheckpoint;

    private final SqlStore store;
    private final UsageRecorder recorder;
    private final Rollups rollups;
    private final Biller biller;
    private final AlertEvaluator alerts;
    private final UserDirectory users;
    private final LiveEvents events;
    private final MeterNetworks networks;
    /** The open transaction holds changes a replay could not redo: it must be a checkpoint. */
    private boolean checkpointWanted;
    /** The meters this writer handles: all of them, or those of the partitions its cluster node holds. */
    private java.util.function.LongPredicate local = id -> true;

    Ledger(SqlStore store, UsageRecorder recorder, Rollups rollups, Biller biller, AlertEvaluator alerts,
            UserDirectory users, LiveEvents events, MeterNetworks networks, int smallCheckpoint) {
        this.networks = networks;
        this.smallCheckpoint = smallCheckpoint;
        this.store = store;
        this.recorder = recorder;
        this.rollups = rollups;
        this.biller = biller;
        this.alerts = alerts;
        this.users = users;
        this.events = events;
    }

    /** Sends committed events to the other nodes of a cluster too. */
    void relayEvents(org.gridmeter.server.cluster.EventRelay relay) {
        events.relayTo(relay);
    }

    /** Limits what reloads and replays take to the meters {@code local} selects (a cluster node's partitions). */
    void local(java.util.function.LongPredicate meters) {
        this.local = meters;
    }

    /**
     * Takes meters over from another cluster node (docs/scaling.md), in the open transaction: their
     * saved states, billing states and active alerts, then {@code items} (the previous owner's log
     * after its checkpoint, for those meters) replayed on top, as a restart does. Returns the
     * readings replayed; the next commit is a checkpoint.
     */
    int adopt(java.util.function.LongPredicate meters, List<LogItem> items) {
        recorder.adopt(store.loadStates().stream().filter(s -> meters.test(s.meterId())).map(MeterState::restore)
                .toList());
        biller.adopt(store.billing().loadStates().stream().filter(s -> meters.test(s.meterId())).toList());
        alerts.adopt(store.alerts().loadActive().stream().filter(a -> meters.test(a.meterId())).toList());
        return replay(items);
    }

    /**
     * Forgets, in memory only, the meters {@code meters} selects (a cluster node gave up or lost
     * their partitions): readers stop showing them at once; their stored data stays.
     */
    void drop(java.util.function.LongPredicate meters) {
        for (long id : recorder.meterIds()) {
            if (meters.test(id)) {
                forget(id);
            }
        }
        recorder.publishCommitted();
        biller.publishCommitted();
        alerts.publish();
        networks.publish();
    }

    /** Records one datagram from {@code from}, received at {@code now} (server clock). */
    RecordOutcome record(ReadingBatch batch, java.net.InetSocketAddress from, long now) {
        long meterId = batch.meterId();
        RecordOutcome outcome = recorder.record(meterId, batch.readings());
        if (users.contains(meterId)) {
            networks.observe(batch, outcome, from, now);
        }
        long latest = recorder.lastTimestamp(meterId); // the writer's own view: readers see it after the commit
        if (latest >= 0) {
            invoices(biller.readingAt(meterId, latest));
            alerts.evaluate(meterId, latest, biller.openCycleMwh(meterId), biller.recentInvoices(meterId));
            if (outcome.stored() > 0) {
                events.reading(meterId);
            }
        }
        return outcome;
    }

    /** Deletes raw readings past the retention (rollups stay); returns how many. */
    long retain(long cutoffMillis) {
        return recorder.retain(cutoffMillis);
    }

    /**
     * Applies what the log holds after the last checkpoint again (after a restart or a rolled-back
     * transaction), on top of the states saved at it: readings through the usage rules, and the
     * logged effects of datagrams a replay of their readings could not redo. The next commit must be
     * a checkpoint. Returns how many readings were applied.
     */
    int replay(List<LogItem> items) {
        int applied = 0;
        for (LogItem item : items) {
            if (!local.test(item.meterId())) {
                continue;
            }
            if (item instanceof LogItem.Reading r) {
                long meterId = r.reading().meterId();
                StoredReading reading = r.reading().reading();
                if (recorder.replay(meterId, reading)) {
                    applied++;
                    biller.readingAt(meterId, reading.timestampMillis()); // closes nothing it did not close
                }
            } else if (item instanceof LogItem.Consumed c) {
                recorder.replayChange(c.meterId(), c.fromMillis(), c.toMillis(), c.deltaMwh());
            } else if (item instanceof LogItem.State st) {
                recorder.replayState(st.state());
            }
        }
        checkpointWanted = true;
        return applied;
    }


    private void invoices(List<Invoice> closed) {
        if (!closed.isEmpty()) {
            checkpointWanted = true; // closing sets the clock-dependent closing time: not replayed
            events.invoices(closed);
        }
    }

    /** Makes the open transaction a checkpoint. */
    void checkpointNext() {
        checkpointWanted = true;
    }

    /** Once a second: invoices left to close, estimated invoices of silent meters, and silence alerts. */
    void tick() {
        invoices(biller.catchUp());
        invoices(biller.closeSilent(this::lastHeard));
        alerts.checkSilent(users.ids(), this::lastHeard, recorder::usualInterval);
    }

    private long lastHeard(long meterId) {
        return recorder.lastHeard(meterId);
    }

    /**
     * Before each commit: logs the transaction's readings (with the effects of datagrams a replay
     * could not redo), then, if it must or should be a checkpoint (or changed few meters), saves every
     * state changed since the last one. Returns whether it is a checkpoint.
     */
    boolean beforeCommit(boolean checkpointDue) throws SQLException {
        store.logReadings();
        boolean must = checkpointWanted || store.readingsDirect();
        if (!must && !checkpointDue && recorder.dirtyCount() > smallCheckpoint) {
            return false;
        }
        store.saveStates(recorder.drainDirty());
        rollups.flush(store.billing());
        store.billing().saveStates(biller.drainDirty());
        store.checkpoint();
        checkpointWanted = false;
        return true;
    }

    /**
     * After each commit: makes what it made durable visible (meters, open cycles, alerts) and sends
     * the events of it, in that order (events read the published meters).
     */
    void afterCommit() {
        recorder.publishCommitted();
        biller.publishCommitted();
        alerts.publish();
        networks.publish();
        events.alerts(alerts.drainTransitions());
        events.publish();
    }

    @Override
    public void registered(long meterId) {
        recorder.registered(meterId);
    }

    @Override
    public void forget(long meterId) {
        recorder.forget(meterId);
        rollups.forget(meterId);
        biller.forget(meterId);
        alerts.forget(meterId);
        networks.forget(meterId);
    }

    /**
     * After a rolled-back transaction: back to the states of the last checkpoint, plus the logged
     * readings after it ({@code rows}, from the store's rollback). Returns how many were applied.
     */
    int reload(List<LogItem> rows) throws SQLException {
        rollups.discard();
        events.discard();
        alerts.drainTransitions();
        List<Long> before = recorder.meterIds();
        recorder.restore(store.loadStates().stream().filter(s -> local.test(s.meterId())).map(MeterState::restore)
                .toList());
        biller.restore(store.billing().loadStates().stream().filter(s -> local.test(s.meterId())).toList());
        int replayed = replay(rows);
        for (long id : before) {
            if (!local.test(id)) {
                forget(id); // a cluster node lost the meter's partition: readers stop showing it
            }
        }
        return replayed;
    }
}
