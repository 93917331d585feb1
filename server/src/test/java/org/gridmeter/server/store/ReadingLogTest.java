package org.gridmeter.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.gridmeter.protocol.Reading;
import org.gridmeter.server.usage.ConsumptionChain;
import org.gridmeter.server.usage.ReadingKind;
import org.gridmeter.server.usage.StoredReading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reading log: readings are committed as packed log rows, merged into the readings table later,
 * deleted only once merged and covered by a checkpoint, and replayed from the checkpoint on.
 */
class ReadingLogTest {

    @TempDir
    Path dir;

    private static StoredReading reading(long ts, long energy) {
        return new StoredReading(ts, energy, 100, ts / 1000, Reading.NO_EXPORT, 10, ReadingKind.NORMAL, ts - 1000);
    }

    @Test
    void packedReadingsDecodeToWhatWasEncoded() {
        List<LoggedReading> readings = List.of(
                new LoggedReading(1, new StoredReading(1_000, 5, null, Reading.NO_SEQUENCE, Reading.NO_EXPORT, 0,
                        ReadingKind.PENDING, 1_000)),
                new LoggedReading(4_294_967_295L, new StoredReading(-86_400_000L, Long.MAX_VALUE, -7, 4_294_967_295L,
                        123, -42, ReadingKind.RESET, -90_000_000L)),
                new LoggedReading(7, new StoredReading(2_000, 6, 0, 0, 0, 1, ReadingKind.GLITCH, 1_000)));

        byte[] packed = ReadingLog.encode(readings);

        assertThat(packed).hasSize(3 * ReadingLog.PACKED_BYTES);
        assertThat(ReadingLog.decode(packed)).isEqualTo(readings);
    }

    @Test
    void readingsSortByMeterThenTimeWhateverTheirOrder() {
        Random random = new Random(7);
        for (long maxMeter : new long[] {50, 4_294_967_295L, 1L << 40}) { // the last takes the object sort
            List<LoggedReading> readings = new ArrayList<>();
            for (int i = 0; i < 5_000; i++) {
                long meter = Math.floorMod(random.nextLong(), maxMeter);
                readings.add(new LoggedReading(meter, reading(random.nextInt(1_000_000), i)));
            }
            List<LoggedReading> expected = new ArrayList<>(readings);
            expected.sort(Comparator.comparingLong(LoggedReading::meterId)
                    .thenComparingLong(r -> r.reading().timestampMillis()));

            ReadingLog.Columns columns = ReadingLog.Columns.decode(List.of(ReadingLog.encode(readings))).sortByKey();

            List<LoggedReading> sorted = new ArrayList<>();
            for (int k = 0; k < columns.size; k++) {
                sorted.add(columns.get(k));
            }
            assertThat(sorted).isEqualTo(expected);
        }
    }

    @Test
    void aCommittedReadingIsReadFromTheLogThenFromTheTableAndNeverTwice() throws Exception {
        try (SqlStore store = SqlStore.open(dir); ReadingQueries queries = new ReadingQueries(store.database());
                Connection reader = store.database().reader()) {
            store.insert(1, reading(1_000, 10));
            store.insert(2, reading(1_000, 20));
            store.insert(1, reading(2_000, 11));
            store.commit();

            assertThat(count(reader, "readings")).isZero();
            assertThat(count(reader, "reading_log")).isEqualTo(1);
            assertThat(queries.page(1, 0, 10)).extracting(StoredReading::energyMwh).containsExactly(10L, 11L);
            assertThat(queries.range(2, 0, 5_000)).extracting(StoredReading::energyMwh).containsExactly(20L);
            assertThat(store.readingsWaiting()).isEqualTo(3);

            assertThat(store.mergeStep()).as("one step merges three readings").isTrue();
            store.commit();

            assertThat(count(reader, "readings")).isEqualTo(3);
            assertThat(count(reader, "reading_log")).as("no checkpoint covers the log row yet: it stays").isEqualTo(1);
            assertThat(queries.page(1, 0, 10)).extracting(StoredReading::energyMwh).containsExactly(10L, 11L);
            assertThat(queries.page(1, 1_000, 1)).extracting(StoredReading::energyMwh).containsExactly(11L);
            assertThat(store.readingsWaiting()).isZero();

            store.checkpoint();
            store.commit();
            store.insert(1, reading(3_000, 12));
            store.commit();
            assertThat(store.mergeStep()).isTrue();
            store.commit();

            assertThat(count(reader, "reading_log")).as("the merged, checkpointed row is gone; the newer one stays")
                    .isEqualTo(1);
            assertThat(queries.page(1, 0, 10)).extracting(StoredReading::energyMwh).containsExactly(10L, 11L, 12L);
        }
    }

    @Test
    void recoveryMergesTheWholeLogAndReturnsWhatFollowsTheCheckpoint() throws Exception {
        try (SqlStore store = SqlStore.open(dir)) {
            store.insert(1, reading(1_000, 10));
            store.checkpoint();
            store.commit();
            store.insert(1, reading(2_000, 11));
            store.insert(2, reading(2_000, 21));
            store.commit();
            store.insert(3, reading(9_000, 99)); // never committed: a crash loses it
        }
        try (SqlStore store = SqlStore.open(dir); Connection reader = store.database().reader()) {
            List<LogItem> replay = store.recoverLog();

            assertThat(replay).extracting(r -> ((LogItem.Reading) r).reading())
                    .extracting(r -> r.meterId() + ":" + r.reading().energyMwh()).containsExactly("1:11", "2:21");
            assertThat(store.readingsDirect()).as("the next commit must be a checkpoint").isTrue();
            store.checkpoint();
            store.commit();
            assertThat(count(reader, "readings")).isEqualTo(3);
            assertThat(count(reader, "reading_log")).isZero();
        }
        try (SqlStore store = SqlStore.open(dir)) {
            assertThat(store.recoverLog()).as("nothing left to replay").isEmpty();
        }
    }

    @Test
    void theWritersQueriesSeeUnmergedReadingsWithoutMergingTheLog() throws Exception {
        try (SqlStore store = SqlStore.open(dir); Connection reader = store.database().reader()) {
            store.insert(1, reading(1_000, 10));
            store.commit();
            store.insert(1, reading(2_000, 11)); // in the open transaction
            store.insert(2, reading(2_000, 21));

            assertThat(store.find(1, 2_000).energyMwh()).isEqualTo(11);
            assertThat(store.find(1, 1_000).energyMwh()).as("committed, unmerged").isEqualTo(10);
            assertThat(store.find(1, 1_500)).isNull();
            assertThat(store.lastNormalBefore(1, 2_000).energyMwh()).isEqualTo(10);
            assertThat(store.before(1, 3_000).energyMwh()).isEqualTo(11);
            assertThat(store.after(1, 0, 10)).extracting(StoredReading::energyMwh).containsExactly(10L, 11L);
            assertThat(store.readingsDirect()).as("nothing was merged to answer").isFalse();
            store.commit();
            assertThat(count(reader, "readings")).isZero();
            assertThat(count(reader, "reading_log")).isEqualTo(2);

            assertThat(store.mergeStep()).isTrue();
            store.insert(1, reading(3_000, 12));
            assertThat(store.after(1, 0, 2)).as("merged rows and unmerged ones, in time order")
                    .extracting(StoredReading::energyMwh).containsExactly(10L, 11L);
            assertThat(store.after(1, 1_000, 5)).extracting(StoredReading::energyMwh).containsExactly(11L, 12L);
        }
    }

    @Test
    void aReadingDecidedAgainIsLoggedAgainAndItsLastVersionWinsEverywhere() throws Exception {
        try (SqlStore store = SqlStore.open(dir); ReadingQueries queries = new ReadingQueries(store.database());
                Connection reader = store.database().reader()) {
            store.insert(1, new StoredReading(1_000, 5, 1, 0, Reading.NO_EXPORT, 0, ReadingKind.PENDING, 1_000));
            store.commit();

            store.reclassify(1, new ConsumptionChain.Decision(1_000, 5, ReadingKind.RESET, null, 0));
            store.commit();

            assertThat(count(reader, "readings")).as("no random write into the table").isZero();
            assertThat(count(reader, "reading_log")).isEqualTo(2);
            assertThat(queries.page(1, Long.MIN_VALUE, 10)).singleElement()
                    .satisfies(r -> assertThat(r.kind()).isEqualTo(ReadingKind.RESET))
                    .satisfies(r -> assertThat(r.deltaMwh()).isEqualTo(5));
            assertThat(store.find(1, 1_000).kind()).isEqualTo(ReadingKind.RESET);
            assertThat(store.mergeStep()).isTrue();
            store.commit();
            assertThat(count(reader, "readings")).isEqualTo(1);
            assertThat(queries.page(1, Long.MIN_VALUE, 10)).singleElement()
                    .satisfies(r -> assertThat(r.kind()).as("the merge keeps the last").isEqualTo(ReadingKind.RESET));

            store.reclassify(1, new ConsumptionChain.Decision(1_000, 0, ReadingKind.GLITCH, null, 1_000));
            store.commit();
            assertThat(queries.page(1, Long.MIN_VALUE, 10)).singleElement()
                    .satisfies(r -> assertThat(r.kind()).as("a merged reading, decided again").isEqualTo(ReadingKind.GLITCH));
        }
        try (SqlStore store = SqlStore.open(dir)) {
            store.recoverLog();
            assertThat(store.find(1, 1_000).kind()).as("so does recovery").isEqualTo(ReadingKind.GLITCH);
        }
    }

    @Test
    void aMergedReadingDecidedAgainIsSeenAsItsNewVersionByTheWriter() throws Exception {
        try (SqlStore store = SqlStore.open(dir)) {
            store.insert(1, reading(500, 5));
            store.insert(1, reading(1_000, 10));
            store.commit();
            assertThat(store.mergeStep()).isTrue();
            store.commit(); // both readings are in the table, as normal ones

            store.reclassify(1, new ConsumptionChain.Decision(1_000, 0, ReadingKind.PENDING, null, 1_000));

            assertThat(store.lastNormalBefore(1, 2_000).timestampMillis())
                    .as("the table's copy is stale: the reading at 1000 is pending now").isEqualTo(500);
            assertThat(store.before(1, 2_000).kind()).isEqualTo(ReadingKind.PENDING);
            assertThat(store.after(1, 0, 5)).extracting(StoredReading::kind)
                    .containsExactly(ReadingKind.NORMAL, ReadingKind.PENDING);
        }
    }

    private static long count(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
