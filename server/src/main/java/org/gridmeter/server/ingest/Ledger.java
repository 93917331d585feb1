package org.gridmeter.server.ingest;

import java.sql.SQLException;
import java.util.List;
import org.gridmeter.protocol.ReadingBatch;
import org.gridmeter.server.alerts.AlertEvaluator;
import org.gridmeter.server.billing.Biller;
import org.gridmeter.server.store.SqliteStore;
import org.gridmeter.server.usage.LiveMeters;
import org.gridmeter.server.usage.MeterSnapshot;
import org.gridmeter.server.usage.RecordOutcome;
import org.gridmeter.server.usage.Rollups;
import org.gridmeter.server.usage.UsageRecorder;
import org.gridmeter.server.users.UserDirectory;

/**
 * Everything the writer does with a datagram, in order: the usage rules (which tell the rollups,
 * the biller and the power windows every change of consumption), then invoices that the readings
 * close, then the alert rules. Writer thread only.
 */
final class Ledger {

    private final SqliteStore store;
    private final UsageRecorder recorder;
    private final Rollups rollups;
    private final Biller biller;
    private final AlertEvaluator alerts;
    private final LiveMeters meters;
    private final UserDirectory users;
    private final LiveEvents events;

    Ledger(SqliteStore store, UsageRecorder recorder, Rollups rollups, Biller biller, AlertEvaluator alerts,
            LiveMeters meters, UserDirectory users, LiveEvents events) {
        this.store = store;
        this.recorder = recorder;
        this.rollups = rollups;
        this.biller = biller;
        this.alerts = alerts;
        this.meters = meters;
        this.users = users;
        this.events = events;
    }

    RecordOutcome record(ReadingBatch batch) {
        long meterId = batch.meterId();
        RecordOutcome outcome = recorder.record(meterId, batch.readings());
        MeterSnapshot meter = meters.get(meterId);
        if (meter != null && meter.hasReading()) {
            events.invoices(biller.readingAt(meterId, meter.lastTimestampMillis()));
            alerts.evaluate(meterId, meter.lastTimestampMillis(), biller.openCycleMwh(meterId),
                    biller.recentInvoices(meterId));
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

    /** Once a second: estimated invoices of silent meters, and silence alerts. */
    void tick() {
        events.invoices(biller.closeSilent(this::lastHeard));
        alerts.checkSilent(users.ids(), this::lastHeard);
    }

    private long lastHeard(long meterId) {
        MeterSnapshot meter = meters.get(meterId);
        return meter == null ? Long.MIN_VALUE : meter.lastHeardMillis();
    }

    /** Writes what is kept in memory between commits, in the transaction about to commit. */
    void beforeCommit() throws SQLException {
        store.saveStates(recorder.drainDirty());
        rollups.flush(store.billing());
        store.billing().saveStates(biller.drainDirty());
    }

    /** Makes committed alerts visible and sends the events of what was committed. */
    void afterCommit() {
        alerts.publish();
        events.alerts(alerts.drainTransitions());
        events.publish();
    }

    void registered(long meterId) {
        recorder.registered(meterId);
    }

    void forget(long meterId) {
        recorder.forget(meterId);
        biller.forget(meterId);
        alerts.forget(meterId);
    }

    /** After a rolled-back transaction: back to what the store holds. */
    void reload() throws SQLException {
        rollups.discard();
        events.discard();
        alerts.drainTransitions();
        recorder.restore(store.loadStates().stream().map(org.gridmeter.server.usage.MeterState::restore).toList());
    }
}
