package org.gridmeter.server.writer;

/**
 * When the single writer does what: commit the open transaction, save a checkpoint, run the
 * once-a-second tick and the hourly retention, take a merge step. Pure: it keeps only times on the
 * monotonic ticker, and every answer comes from the time it is given, so it is tested without a
 * store, a thread or a clock (WriterScheduleTest). The writer asks it and does the work.
 *
 * <p>A transaction opens with its first change and commits {@code flushAfter} later (half the
 * commit interval, so a reading is durable well within it) or once it holds {@code maxTransaction}
 * changes. A checkpoint is due {@code checkpointInterval} after the last
 * one; if commits stopped, an idle writer opens a transaction to save one. A merge step runs when
 * the store says one is due and the open transaction has time left for it (twice the last step's
 * time) — unless more than {@code mergeBacklog} committed readings wait, and then the merge goes
 * first: the open transaction commits and the step runs anyway.
 */
final class WriterSchedule {

    static final long TICK_NANOS = 1_000_000_000L;
    static final long RETENTION_NANOS = 3_600_000_000_000L;
    /** The longest the writer waits for work while no transaction is open. */
    static final long IDLE_POLL_NANOS = 100_000_000L;
    private static final long CLOSED = Long.MIN_VALUE;

    private final long flushAfterNanos;
    private final int maxTransaction;
    private final int mergeBacklog;
    private final long checkpointNanos;
    private long transactionStart = CLOSED;
    private long nextCheckpoint;
    private long nextTick;
    private long nextRetention;
    private long lastMergeStepNanos;
    /** Whether a commit since the last checkpoint left states unsaved. */
    private boolean uncheckpointed;

    /**
     * @param commitIntervalNanos {@code --commit-interval}: a reading is durable within it
     * @param checkpointNanos     {@code --checkpoint-interval}
     * @param maxTransaction      changes after which a transaction commits before its time
     * @param mergeBacklog        committed readings waiting beyond which merging goes before new readings
     * @param now                 the ticker's time at start: retention runs at once, a tick and a checkpoint later
     */
    WriterSchedule(long commitIntervalNanos, long checkpointNanos, int maxTransaction, int mergeBacklog, long now) {
        this.maxTransaction = maxTransaction;
        this.mergeBacklog = mergeBacklog;
        this.flushAfterNanos = Math.max(1, commitIntervalNanos / 2);
        this.checkpointNanos = checkpointNanos;
        this.nextCheckpoint = now + checkpointNanos;
        this.nextTick = now + TICK_NANOS;
        this.nextRetention = now;
    }

    boolean open() {
        return transactionStart != CLOSED;
    }

    /** A change is made: the transaction opens now unless it is open already. */
    void change(long now) {
        if (!open()) {
            transactionStart = now;
        }
    }

    /**
     * The transaction must commit within the flush delay from {@code now}, open or not (a command's
     * own transaction, a checkpoint after a rollback or a replay).
     */
    void commitSoon(long now) {
        transactionStart = now;
    }

    /** How long the writer may wait for work; 0 when a merge step is waiting to run. */
    long waitNanos(long now, boolean mergeMayRun) {
        if (mergeMayRun) {
            return 0;
        }
        return open() ? Math.max(0, transactionStart + flushAfterNanos - now) : IDLE_POLL_NANOS;
    }

    /** Whether the hourly retention is due now; if so it is counted as done. */
    boolean retentionDue(long now) {
        if (now < nextRetention) {
            return false;
        }
        nextRetention = now + RETENTION_NANOS;
        return true;
    }

    /** If commits stopped with states unsaved and a checkpoint is due, opens a transaction to save one. */
    void checkpointIfIdle(long now) {
        if (uncheckpointed && !open() && now >= nextCheckpoint) {
            transactionStart = now;
        }
    }

    /** Whether the once-a-second tick is due now; if so it is counted as done, in the (opened) transaction. */
    boolean tickDue(long now) {
        if (now < nextTick) {
            return false;
        }
        nextTick = now + TICK_NANOS;
        change(now);
        return true;
    }

    /** Whether the open transaction, of {@code size} changes, must commit now. */
    boolean commitDue(long now, int size) {
        return open() && (now - transactionStart >= flushAfterNanos || size >= maxTransaction);
    }

    /** Whether the commit starting now should be a checkpoint anyway ({@code stopping}: always). */
    boolean checkpointDue(long now, boolean stopping) {
        return stopping || now >= nextCheckpoint;
    }

    /** The transaction committed at {@code started}, a checkpoint or not. */
    void committed(long started, boolean checkpoint) {
        if (checkpoint) {
            nextCheckpoint = started + checkpointNanos;
        }
        uncheckpointed = !checkpoint;
        transactionStart = CLOSED;
    }

    /** The transaction was rolled back. */
    void rolledBack() {
        transactionStart = CLOSED;
    }

    /** Whether at stop a checkpoint is still owed: then a last transaction opens for it. */
    void checkpointAtStop(long now) {
        if (uncheckpointed && !open()) {
            transactionStart = now;
        }
    }

    /** Whether a merge step may run now: one is due and the open transaction has time for it, or the backlog is too long. */
    boolean mergeMayRun(long now, boolean mergeDue, long readingsWaiting) {
        return mergeDue && (!open() || timeLeft(now) >= 2 * lastMergeStepNanos || readingsWaiting > mergeBacklog);
    }

    /** Whether the open transaction must commit before the merge step (it has no time left for it). */
    boolean commitBeforeMerge(long now) {
        return open() && timeLeft(now) < 2 * lastMergeStepNanos;
    }

    /** A merge step took this long: the next one is planned by it. */
    void merged(long tookNanos) {
        lastMergeStepNanos = tookNanos;
    }

    private long timeLeft(long now) {
        return transactionStart + flushAfterNanos - now;
    }
}
