package org.gridmeter.server.writer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The writer's schedule, driven by the times it is given: no store, no thread, no clock. */
class WriterScheduleTest {

    private static final long MS = 1_000_000L;
    private static final long T0 = 5_000 * MS;
    private static final int MAX_TRANSACTION = 20_000;
    private static final int MERGE_BACKLOG = 1_000_000;
    /** --commit-interval 200 ms (commits 100 ms after the first change), --checkpoint-interval 2 s. */
    private final WriterSchedule schedule = new WriterSchedule(200 * MS, 2_000 * MS, MAX_TRANSACTION, MERGE_BACKLOG,
            T0);

    @Test
    void aTransactionCommitsHalfTheCommitIntervalAfterItsFirstChange() {
        assertThat(schedule.open()).isFalse();
        assertThat(schedule.waitNanos(T0, false)).isEqualTo(WriterSchedule.IDLE_POLL_NANOS);
        schedule.change(T0 + 10 * MS);
        schedule.change(T0 + 60 * MS); // a later change does not move the deadline
        assertThat(schedule.waitNanos(T0 + 60 * MS, false)).isEqualTo(50 * MS);
        assertThat(schedule.commitDue(T0 + 109 * MS, 5)).isFalse();
        assertThat(schedule.commitDue(T0 + 110 * MS, 5)).isTrue();
        schedule.committed(T0 + 110 * MS, false);
        assertThat(schedule.open()).isFalse();
        assertThat(schedule.commitDue(T0 + 500 * MS, 0)).as("nothing open, nothing to commit").isFalse();
    }

    @Test
    void aFullTransactionCommitsAtOnce() {
        schedule.change(T0);
        assertThat(schedule.commitDue(T0 + MS, MAX_TRANSACTION - 1)).isFalse();
        assertThat(schedule.commitDue(T0 + MS, MAX_TRANSACTION)).isTrue();
    }

    @Test
    void checkpointsComeEveryIntervalAndAnIdleWriterSavesTheOneItOwes() {
        assertThat(schedule.checkpointDue(T0 + 1_999 * MS, false)).isFalse();
        assertThat(schedule.checkpointDue(T0 + 1_999 * MS, true)).as("stopping: always").isTrue();
        assertThat(schedule.checkpointDue(T0 + 2_000 * MS, false)).isTrue();
        schedule.change(T0 + 2_000 * MS);
        schedule.committed(T0 + 2_000 * MS, true);
        assertThat(schedule.checkpointDue(T0 + 3_999 * MS, false)).as("the next one 2 s after").isFalse();

        schedule.change(T0 + 2_500 * MS);
        schedule.committed(T0 + 2_600 * MS, false); // states left unsaved
        schedule.checkpointIfIdle(T0 + 3_000 * MS);
        assertThat(schedule.open()).as("not due yet").isFalse();
        schedule.checkpointIfIdle(T0 + 4_000 * MS);
        assertThat(schedule.open()).as("due, and no commit will come by itself: one is opened").isTrue();
        assertThat(schedule.checkpointDue(T0 + 4_100 * MS, false)).isTrue();
        schedule.committed(T0 + 4_100 * MS, true);
        schedule.checkpointIfIdle(T0 + 9_000 * MS);
        assertThat(schedule.open()).as("nothing owed after a checkpoint").isFalse();
    }

    @Test
    void atStopACheckpointIsOwedOnlyIfTheLastCommitWasNotOne() {
        schedule.checkpointAtStop(T0);
        assertThat(schedule.open()).isFalse();
        schedule.change(T0);
        schedule.committed(T0 + 100 * MS, false);
        schedule.checkpointAtStop(T0 + 200 * MS);
        assertThat(schedule.open()).isTrue();
    }

    @Test
    void theTickComesOnceASecondInATransactionAndRetentionAtStartThenHourly() {
        assertThat(schedule.retentionDue(T0)).as("at start").isTrue();
        assertThat(schedule.retentionDue(T0 + 1)).isFalse();
        assertThat(schedule.retentionDue(T0 + WriterSchedule.RETENTION_NANOS)).isTrue();

        assertThat(schedule.tickDue(T0 + 999 * MS)).isFalse();
        assertThat(schedule.tickDue(T0 + 1_000 * MS)).isTrue();
        assertThat(schedule.open()).as("the tick's changes are committed like any").isTrue();
        assertThat(schedule.tickDue(T0 + 1_500 * MS)).isFalse();
        assertThat(schedule.tickDue(T0 + 2_000 * MS)).isTrue();
    }

    @Test
    void aMergeStepRunsOnlyWhenTheOpenTransactionHasTimeForItUnlessTheBacklogIsTooLong() {
        assertThat(schedule.mergeMayRun(T0, false, 0)).as("not due").isFalse();
        assertThat(schedule.mergeMayRun(T0, true, 0)).as("due, nothing open").isTrue();
        assertThat(schedule.waitNanos(T0, true)).as("merge work waits: no sleeping").isZero();

        schedule.merged(30 * MS); // steps take 30 ms: a step needs 60 ms left
        schedule.change(T0); // commits at T0 + 100 ms
        assertThat(schedule.mergeMayRun(T0 + 40 * MS, true, 10)).as("60 ms left").isTrue();
        assertThat(schedule.mergeMayRun(T0 + 41 * MS, true, 10)).as("59 ms left: the commit would be late").isFalse();
        assertThat(schedule.commitBeforeMerge(T0 + 41 * MS)).isTrue();
        assertThat(schedule.mergeMayRun(T0 + 90 * MS, true, MERGE_BACKLOG + 1))
                .as("a backlog too long goes first").isTrue();
        assertThat(schedule.commitBeforeMerge(T0 + 90 * MS)).as("... after the open transaction commits").isTrue();
        assertThat(schedule.commitBeforeMerge(T0 + 10 * MS)).isFalse();
    }

    @Test
    void aCommandOrARecoveryAsksForACommitSoonWhateverIsOpen() {
        schedule.change(T0);
        schedule.commitSoon(T0 + 50 * MS);
        assertThat(schedule.commitDue(T0 + 100 * MS, 1)).as("the deadline moved with it").isFalse();
        assertThat(schedule.commitDue(T0 + 150 * MS, 1)).isTrue();
        schedule.rolledBack();
        assertThat(schedule.open()).isFalse();
    }
}
