package org.gridmeter.server.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.gridmeter.protocol.Reading;
import org.gridmeter.server.store.ReadingQueries;
import org.gridmeter.server.store.SqlStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The reading rules of docs/api.md ("How readings count") against a real SQLite store. */
class UsageRecorderTest {

    private static final long T0 = 1_767_225_600_000L;
    /** The server's clock: a day after the readings start, so none is in the future or past the retention. */
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(T0 + 86_400_000L), ZoneOffset.UTC);
    private static final Duration RETENTION = Duration.ofDays(400);

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    /** A recorder over its own store; every meter counts as registered unless told otherwise. */
    private final class Fixture {
        final SqlStore store;
        final ReadingQueries queries;
        final LiveMeters live = new LiveMeters();
        final UsageRecorder recorder;

        Fixture(String name, int orphanLimit, boolean registered) throws Exception {
            store = org.gridmeter.server.TestStores.openStore(dir.resolve(name));
            queries = new ReadingQueries(store.database());
            closeables.add(queries);
            closeables.add(store);
            recorder = new UsageRecorder(store, ConsumptionListener.NONE, live, id -> registered, CLOCK,
                    orphanLimit, RETENTION, List.of());
        }

        RecordOutcome record(long meter, Reading... readings) {
            return recorder.record(meter, List.of(readings));
        }

        /** What the writer does at a commit: saves the states, commits, shows the result to readers. */
        void commit() throws Exception {
            store.logReadings();
            store.saveStates(recorder.drainDirty());
            store.commit();
            recorder.publishCommitted();
        }

        /** Commits, and puts every committed reading in the table (a merge), as the writer does every few seconds. */
        void merge() throws Exception {
            commit();
            while (store.readingsWaiting() > 0 && !store.mergeStep()) {
                // one chunk at a time, until the merge is done
            }
            commit();
        }

        List<StoredReading> rows(long meter) throws Exception {
            commit();
            return queries.page(meter, Long.MIN_VALUE, 1_000_000);
        }

        long total(long meter) throws Exception {
            commit();
            return live.get(meter).totalMwh();
        }

        MeterSnapshot meter(long meter) throws Exception {
            commit();
            return live.get(meter);
        }
    }

    private static Reading reading(long seq, long i, long mwh) {
        return new Reading(seq, T0 + i * 5000, mwh, 500);
    }

    @Test
    void duplicateReadingChangesNothing() throws Exception {
        Fixture f = new Fixture("dup", 10, true);
        f.record(1, reading(0, 0, 1000), reading(1, 1, 2000));

        RecordOutcome again = f.record(1, reading(1, 1, 2000), reading(0, 0, 1000));

        assertThat(again.fates()).containsExactly(RecordOutcome.Fate.DUPLICATE, RecordOutcome.Fate.DUPLICATE);
        assertThat(f.total(1)).isEqualTo(2000);
        assertThat(f.rows(1)).hasSize(2);
    }

    @Test
    void conflictingDuplicateKeepsTheFirstAndIsCounted() throws Exception {
        Fixture f = new Fixture("conflict", 10, true);
        f.record(1, reading(0, 0, 1000), reading(1, 1, 2000));

        RecordOutcome outcome = f.record(1, reading(1, 1, 9999), reading(0, 0, 5));

        assertThat(outcome.conflicts()).isEqualTo(2);
        assertThat(f.rows(1)).extracting(StoredReading::energyMwh).containsExactly(1000L, 2000L);
        assertThat(f.meter(1).conflicts()).isEqualTo(2);
    }

    @Test
    void lateReadingLandsWhereItBelongsWithoutNegativeConsumption() throws Exception {
        Fixture f = new Fixture("late", 10, true);
        f.record(1, reading(0, 0, 1000), reading(2, 2, 3000));

        RecordOutcome outcome = f.record(1, reading(1, 1, 1800));

        assertThat(outcome.late()).isEqualTo(1);
        assertThat(f.rows(1)).extracting(StoredReading::deltaMwh).containsExactly(1000L, 800L, 1200L);
        assertThat(f.total(1)).isEqualTo(3000);
    }

    @Test
    void readingsOfUnregisteredMetersAreKeptUpToTheOrphanLimit() throws Exception {
        Fixture f = new Fixture("orphans", 2, false);

        assertThat(f.record(1, reading(0, 0, 10)).stored()).isEqualTo(1);
        assertThat(f.record(2, reading(0, 0, 10)).stored()).isEqualTo(1);
        assertThat(f.record(3, reading(0, 0, 10)).orphanDropped()).isEqualTo(1);
        assertThat(f.record(1, reading(1, 1, 20)).stored()).as("a kept orphan keeps being kept").isEqualTo(1);
        assertThat(f.recorder.orphanMeters()).isEqualTo(2);

        f.recorder.registered(1);
        assertThat(f.record(3, reading(0, 0, 10)).stored()).as("registering frees a place").isEqualTo(1);
    }

    @Test
    void restartedRecorderResumesFromSavedState() throws Exception {
        Fixture f = new Fixture("resume", 10, true);
        f.record(1, reading(0, 0, 1000), reading(1, 1, 90_000), reading(2, 2, 0));
        f.rows(1);

        UsageRecorder resumed = new UsageRecorder(f.store, ConsumptionListener.NONE, new LiveMeters(), id -> true,
                CLOCK, 10, RETENTION,
                f.store.loadStates().stream().map(MeterState::restore).toList());
        resumed.record(1, List.of(reading(3, 3, 90_500)));

        f.store.saveStates(resumed.drainDirty());
        f.store.commit();
        assertThat(f.queries.page(1, Long.MIN_VALUE, 10)).extracting(StoredReading::kind).containsExactly(
                ReadingKind.NORMAL, ReadingKind.NORMAL, ReadingKind.GLITCH, ReadingKind.NORMAL);
    }

    /**
     * After a crash the writer rebuilds meters' states from the last checkpoint by replaying the
     * readings logged since (each was the newest of its meter when recorded): the replayed state
     * must be the one the crash lost, including a reset, a pending drop and the glitch it became,
     * so that the next reading is decided the same way.
     */
    @Test
    void replayingLoggedReadingsFromACheckpointRebuildsTheSameState() throws Exception {
        Fixture f = new Fixture("replay", 10, true);
        f.record(1, reading(0, 0, 1_000), reading(1, 1, 2_000));
        f.rows(1); // the checkpoint: states saved
        List<MeterState> checkpoint = f.store.loadStates().stream().map(MeterState::restore).toList();
        f.record(1, reading(2, 2, 3_000), reading(0, 3, 400)); // a sequence restart: a reset
        f.record(1, reading(1, 4, 900), reading(2, 5, 0), reading(3, 6, 1_500)); // a drop to 0, then back: a glitch
        List<StoredReading> logged = f.rows(1).subList(2, 7);

        LiveMeters live = new LiveMeters();
        UsageRecorder replayed = new UsageRecorder(f.store, ConsumptionListener.NONE, live, id -> true,
                CLOCK, 10, RETENTION, checkpoint);
        for (StoredReading row : logged) {
            assertThat(replayed.replay(1, row)).isTrue();
        }
        assertThat(replayed.replay(1, logged.get(0))).as("not newer than the latest: nothing to do").isFalse();
        replayed.publishCommitted();

        MeterSnapshot lost = f.live.get(1);
        MeterSnapshot rebuilt = live.get(1);
        assertThat(rebuilt).usingRecursiveComparison().ignoringFields("lastHeardMillis").isEqualTo(lost);
        assertThat(rebuilt.resets()).isEqualTo(1);
        assertThat(rebuilt.glitches()).isEqualTo(1);
        f.record(1, reading(4, 7, 2_100));
        replayed.record(1, List.of(reading(4, 7, 2_100)));
        replayed.publishCommitted();
        assertThat(live.get(1).totalMwh()).as("the next reading is decided alike").isEqualTo(f.total(1));
    }

    /**
     * A meter's life with resets, restarts and glitches, and the consumption that truly happened;
     * it also exports (solar), and its exported register resets with the import one.
     */
    private record Scenario(List<Reading> readings, long trueConsumptionMwh, long trueExportMwh) {
    }

    private static Scenario scenario(Random random, int count) {
        List<Reading> readings = new ArrayList<>();
        long counter = 0;
        long exported = 0;
        long truth = 0;
        long exportTruth = 0;
        long seq = 0;
        int calm = 0; // readings since the last anomaly: anomalies need two normal readings after them
        for (int i = 0; i < count; i++) {
            int dice = random.nextInt(100);
            long increment = random.nextInt(5_000);
            long exportIncrement = random.nextInt(2_000);
            if (calm >= 3 && i < count - 3 && counter > 100_000 && dice < 4) {
                readings.add(new Reading(seq++, T0 + i * 5000L, random.nextLong(counter), 500, exported)); // glitch
                calm = 0;
                continue;
            }
            if (calm >= 3 && i < count - 3 && counter > 100_000 && dice < 8) {
                counter = increment; // reset; half of them also restart the sequence
                exported = exportIncrement;
                seq = dice < 6 ? 0 : seq;
                calm = 0;
            } else {
                counter += increment;
                exported += exportIncrement;
                calm++;
            }
            truth += increment;
            exportTruth += exportIncrement;
            readings.add(new Reading(seq++, T0 + i * 5000L, counter, 500, exported));
        }
        return new Scenario(readings, truth, exportTruth);
    }

    /** Local reordering, resends and conflicting copies (always after the original, as a resend would be). */
    private static List<Reading> arrival(Random random, List<Reading> inOrder) {
        List<Reading> arrival = new ArrayList<>(inOrder);
        for (int i = 0; i < arrival.size(); i++) {
            if (random.nextInt(10) < 3) {
                int j = Math.min(arrival.size() - 1, i + 1 + random.nextInt(6));
                Collections.swap(arrival, i, j);
            }
        }
        List<Reading> withCopies = new ArrayList<>();
        for (Reading r : arrival) {
            withCopies.add(r);
            if (random.nextInt(10) == 0) {
                withCopies.add(r);
            }
            if (random.nextInt(50) == 0) {
                withCopies.add(new Reading(r.sequence(), r.timestampMillis(), r.energyMwh() + 1, r.powerW(),
                        r.exportedMwh()));
            }
        }
        return withCopies;
    }

    static java.util.stream.LongStream seeds() {
        return java.util.stream.LongStream.rangeClosed(1, 40);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void anyArrivalOrderStoresWhatInOrderArrivalStoresAndCountsTheTrueConsumption(long seed) throws Exception {
        Random random = new Random(seed);
        Fixture inOrder = new Fixture("in-order-" + seed, 10, true);
        Fixture shuffled = new Fixture("shuffled-" + seed, 10, true);
        for (long meter = 1; meter <= 3; meter++) {
            Scenario scenario = scenario(random, 400);
            for (Reading r : scenario.readings()) {
                inOrder.record(meter, r);
            }
            List<Reading> arrival = arrival(random, scenario.readings());
            for (int i = 0; i < arrival.size(); ) {
                int batch = Math.min(arrival.size() - i, 1 + random.nextInt(4));
                shuffled.recorder.record(meter, arrival.subList(i, i + batch));
                i += batch;
                // commits and merges now and then: the rules then find readings in the log, the table, or both
                if (random.nextInt(4) == 0) {
                    shuffled.commit();
                }
                if (random.nextInt(12) == 0) {
                    shuffled.merge();
                }
            }

            assertThat(inOrder.total(meter)).as("in order, meter %d", meter).isEqualTo(scenario.trueConsumptionMwh());
            assertThat(shuffled.total(meter)).as("shuffled, meter %d", meter).isEqualTo(scenario.trueConsumptionMwh());
            assertThat(inOrder.meter(meter).exportedTotalMwh()).as("export in order, meter %d", meter)
                    .isEqualTo(scenario.trueExportMwh());
            assertThat(shuffled.meter(meter).exportedTotalMwh()).as("export shuffled, meter %d", meter)
                    .isEqualTo(scenario.trueExportMwh());
            assertThat(shuffled.rows(meter)).usingRecursiveFieldByFieldElementComparatorIgnoringFields("powerW")
                    .isEqualTo(inOrder.rows(meter));
            assertThat(shuffled.rows(meter)).allSatisfy(r -> assertThat(r.deltaMwh()).isNotNegative());
        }
    }
}
