package org.gridmeter.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.gridmeter.protocol.Datagrams.KEY;
import static org.gridmeter.protocol.Datagrams.KEYS;
import static org.gridmeter.protocol.Datagrams.hex;
import static org.gridmeter.protocol.Datagrams.wrap;
import static org.gridmeter.protocol.Datagrams.withFixedCrc;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class V1CodecTest {

    /** The reading of PROTOCOL.md's first two dumps. */
    private static final Reading READING = new Reading(42, 1_767_225_600_000L, 1_234_567, 850);
    private static final String PLAIN = "474d01010001000000070000002a0000019b76daa800000000000012d6870000035231c984a1";
    private static final String SIGNED = "474d01010501000000070000002a0000019b76daa800000000000012d687000003520064c191"
            + "5a705c2891d0f2f929a50eee";
    private static final String BATCH = "474d0101000300000007000000000000019b76daa80000000000000f4240000004b00000"
            + "00010000019b76dabb8800000000000f48c3000004b0000000020000019b76dacf1000000000000f4f46000004b08988c020";
    private static final String ACK = "474d0102000100000007000000280000002a016d274a";

    @Test
    void roundTripsRandomBatches() {
        Random random = new Random(20261123);
        for (int i = 0; i < 5_000; i++) {
            ReadingBatch batch = Datagrams.randomBatch(random);
            byte[] bytes = Datagrams.encode(batch);

            assertThat(bytes.length).isBetween(V1Codec.MIN_READINGS_SIZE, Wire.MAX_DATAGRAM_SIZE);
            assertThat(V1Codec.decodeReadings(wrap(bytes), KEYS).orElseThrow()).isEqualTo(batch);
        }
    }

    @Test
    void encodesSingleReadingWithCrcToGoldenBytes() {
        ReadingBatch batch = new ReadingBatch(7, List.of(READING), Integrity.CRC32C, false);

        assertThat(V1Codec.encodeReadings(batch, null)).isEqualTo(hex(PLAIN));
        assertThat(V1Codec.decodeReadings(wrap(hex(PLAIN)), KeyLookup.NONE).orElseThrow()).isEqualTo(batch);
    }

    @Test
    void encodesAuthenticatedReadingWithAckRequestToGoldenBytes() {
        ReadingBatch batch = new ReadingBatch(7, List.of(READING), Integrity.HMAC, true);

        assertThat(V1Codec.encodeReadings(batch, KEY)).isEqualTo(hex(SIGNED));
        assertThat(V1Codec.decodeReadings(wrap(hex(SIGNED)), KEYS).orElseThrow()).isEqualTo(batch);
    }

    @Test
    void encodesBatchToGoldenBytes() {
        long t0 = 1_767_225_600_000L;
        ReadingBatch batch = new ReadingBatch(7, List.of(
                new Reading(0, t0, 1_000_000, 1200),
                new Reading(1, t0 + 5000, 1_001_667, 1200),
                new Reading(2, t0 + 10_000, 1_003_334, 1200)), Integrity.CRC32C, false);

        assertThat(V1Codec.encodeReadings(batch, null)).isEqualTo(hex(BATCH));
        assertThat(V1Codec.decodeReadings(wrap(hex(BATCH)), KeyLookup.NONE).orElseThrow()).isEqualTo(batch);
    }

    @Test
    void encodesAckToGoldenBytesAndBack() {
        Ack ack = new Ack(7, 40, 42);

        assertThat(V1Codec.encodeAck(ack, null)).isEqualTo(hex(ACK));
        assertThat(V1Codec.decodeAck(wrap(hex(ACK)), null).orElseThrow()).isEqualTo(ack);
    }

    @Test
    void authenticatedAckNeedsTheMeterKey() {
        Ack ack = new Ack(7, 0, 4_294_967_295L);
        byte[] bytes = V1Codec.encodeAck(ack, KEY);

        assertThat(V1Codec.decodeAck(wrap(bytes), KEY).orElseThrow()).isEqualTo(ack);
        assertThat(reason(V1Codec.decodeAck(wrap(bytes), null))).isEqualTo(RejectReason.UNKNOWN_KEY);
        assertThat(reason(V1Codec.decodeAck(wrap(bytes), new byte[] {1, 2, 3}))).isEqualTo(RejectReason.BAD_TAG);
    }

    @Test
    void carriesExportRegisterAndSequenceExtremes() {
        ReadingBatch batch = new ReadingBatch(4_294_967_295L, List.of(
                new Reading(4_294_967_295L, 0, 0, -3000, 0),
                new Reading(0, Wire.MAX_TIMESTAMP_MILLIS, Long.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE)),
                Integrity.CRC32C, false);

        byte[] bytes = V1Codec.encodeReadings(batch, null);

        assertThat(bytes[Wire.OFFSET_FLAGS]).isEqualTo((byte) Wire.FLAG_EXPORT);
        assertThat(bytes).hasSize(Wire.HEADER_SIZE + 2 * Wire.READING_SIZE_WITH_EXPORT + Wire.CRC_SIZE);
        assertThat(V1Codec.decodeReadings(wrap(bytes), KeyLookup.NONE).orElseThrow()).isEqualTo(batch);
    }

    @Test
    void decodesFromBufferPositionWithoutMovingIt() {
        ByteBuffer buf = ByteBuffer.allocate(100);
        buf.put(new byte[] {9, 9, 9}).put(hex(PLAIN)).flip().position(3);

        assertThat(V1Codec.decodeReadings(buf, KeyLookup.NONE).orElseThrow().readings()).containsExactly(READING);
        assertThat(buf.position()).isEqualTo(3);
        assertThat(buf.limit()).isEqualTo(3 + 38);
    }

    @Test
    void refusesToEncodeMoreReadingsThanFitOneDatagram() {
        List<Reading> readings = new ArrayList<>();
        for (int i = 0; i <= Wire.maxReadings(0); i++) {
            readings.add(new Reading(i, 1000L * i, i, 1));
        }
        ReadingBatch batch = new ReadingBatch(1, readings, Integrity.CRC32C, false);

        assertThatThrownBy(() -> V1Codec.encodeReadings(batch, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("readings: 58 (expected: 1..57");
    }

    @Test
    void largestBatchesFillAtMost1400Bytes() {
        for (int flags = 0; flags <= (Wire.FLAG_AUTH | Wire.FLAG_EXPORT); flags++) {
            int size = Wire.HEADER_SIZE + Wire.maxReadings(flags) * Wire.readingSize(flags) + Wire.trailerSize(flags);
            assertThat(size).isLessThanOrEqualTo(Wire.MAX_DATAGRAM_SIZE);
            assertThat(size + Wire.readingSize(flags)).isGreaterThan(Wire.MAX_DATAGRAM_SIZE);
        }
    }

    @Test
    void rejectsOversize() {
        assertRejected(new byte[1401], RejectReason.OVERSIZE, "length: 1401 (expected: at most 1400)");
    }

    @Test
    void rejectsTooShort() {
        assertRejected(new byte[17], RejectReason.TOO_SHORT, "length: 17 (expected: 38..1400)");
    }

    @Test
    void rejectsBadMagic() {
        byte[] bytes = hex(PLAIN);
        bytes[0] = 'X';
        assertRejected(bytes, RejectReason.BAD_MAGIC, "magic: 0x584d (expected: 0x474d)");
    }

    @Test
    void rejectsUnknownVersion() {
        byte[] bytes = hex(PLAIN);
        bytes[Wire.OFFSET_VERSION] = 2;
        assertRejected(bytes, RejectReason.UNKNOWN_VERSION, "version: 2 (expected: 1)");
    }

    @Test
    void rejectsAckSentToTheServer() {
        byte[] bytes = new byte[V1Codec.MIN_READINGS_SIZE];
        System.arraycopy(hex(ACK), 0, bytes, 0, 22);
        assertRejected(bytes, RejectReason.UNKNOWN_TYPE, "type: 0x2 (expected: 0x01, READINGS)");
    }

    @Test
    void rejectsUnknownFlags() {
        byte[] bytes = hex(PLAIN);
        bytes[Wire.OFFSET_FLAGS] = 0x08;
        assertRejected(withFixedCrc(bytes), RejectReason.UNKNOWN_FLAGS, "flags: 0x8 (expected: only bits 0x7)");
    }

    @Test
    void rejectsCountThatDisagreesWithLength() {
        byte[] bytes = hex(PLAIN);
        bytes[Wire.OFFSET_COUNT] = 2;
        assertRejected(withFixedCrc(bytes), RejectReason.LENGTH_MISMATCH, "length: 38 with count 2");
    }

    @Test
    void rejectsZeroCount() {
        byte[] bytes = hex(PLAIN);
        bytes[Wire.OFFSET_COUNT] = 0;
        assertRejected(withFixedCrc(bytes), RejectReason.LENGTH_MISMATCH, "count 0");
    }

    @Test
    void rejectsBadCrc() {
        byte[] bytes = hex(PLAIN);
        bytes[20] ^= 0x01;
        assertRejected(bytes, RejectReason.BAD_CRC, "crc32c: 0x31c984a1");
    }

    @Test
    void rejectsAuthenticatedDatagramOfMeterWithoutKey() {
        assertThat(reason(V1Codec.decodeReadings(wrap(hex(SIGNED)), KeyLookup.NONE)))
                .isEqualTo(RejectReason.UNKNOWN_KEY);
    }

    @Test
    void rejectsBadTag() {
        byte[] bytes = hex(SIGNED);
        bytes[bytes.length - 1] ^= 0x01;
        assertRejected(bytes, RejectReason.BAD_TAG, "HMAC tag of meter 7 does not match its key");
        assertThat(reason(V1Codec.decodeReadings(wrap(hex(SIGNED)), id -> new byte[] {42})))
                .isEqualTo(RejectReason.BAD_TAG);
    }

    @Test
    void rejectsMeterIdZero() {
        byte[] bytes = hex(PLAIN);
        bytes[Wire.OFFSET_METER_ID + 3] = 0;
        assertRejected(withFixedCrc(bytes), RejectReason.VALUE_OUT_OF_RANGE, "meter id: 0");
    }

    @Test
    void rejectsNegativeEnergy() {
        byte[] bytes = hex(PLAIN);
        ByteBuffer.wrap(bytes).putLong(Wire.HEADER_SIZE + Wire.READING_OFFSET_ENERGY, -1);
        assertRejected(withFixedCrc(bytes), RejectReason.VALUE_OUT_OF_RANGE, "reading 0 energy: -1 mWh");
    }

    @Test
    void rejectsTimestampOutsideYears1970To9999() {
        byte[] bytes = hex(PLAIN);
        ByteBuffer.wrap(bytes).putLong(Wire.HEADER_SIZE + Wire.READING_OFFSET_TIMESTAMP, Long.MIN_VALUE);
        assertRejected(withFixedCrc(bytes), RejectReason.VALUE_OUT_OF_RANGE, "reading 0 timestamp");
        ByteBuffer.wrap(bytes).putLong(Wire.HEADER_SIZE + Wire.READING_OFFSET_TIMESTAMP, Wire.MAX_TIMESTAMP_MILLIS + 1);
        assertRejected(withFixedCrc(bytes), RejectReason.VALUE_OUT_OF_RANGE, "reading 0 timestamp");
    }

    @Test
    void rejectsNegativeExportedEnergy() {
        ReadingBatch batch = new ReadingBatch(3, List.of(new Reading(1, 1000, 5, 1, 7)), Integrity.CRC32C, false);
        byte[] bytes = V1Codec.encodeReadings(batch, null);
        ByteBuffer.wrap(bytes).putLong(Wire.HEADER_SIZE + Wire.READING_OFFSET_EXPORTED, -5);
        assertRejected(withFixedCrc(bytes), RejectReason.VALUE_OUT_OF_RANGE, "reading 0 exported energy: -5");
    }

    @Test
    void rejectsReservedPowerValue() {
        byte[] bytes = hex(PLAIN);
        ByteBuffer.wrap(bytes).putInt(Wire.HEADER_SIZE + Wire.READING_OFFSET_POWER, Integer.MIN_VALUE);
        assertRejected(withFixedCrc(bytes), RejectReason.VALUE_OUT_OF_RANGE, "reading 0 power");
    }

    @Test
    void rejectionThrowsNamedExceptionOnRequest() {
        assertThatThrownBy(() -> V1Codec.decodeReadings(wrap(new byte[17]), KeyLookup.NONE).orElseThrow())
                .isInstanceOf(MalformedDatagramException.class)
                .hasMessage("too_short: length: 17 (expected: 38..1400)")
                .extracting(e -> ((MalformedDatagramException) e).reason()).isEqualTo(RejectReason.TOO_SHORT);
    }

    private static void assertRejected(byte[] bytes, RejectReason reason, String detailPart) {
        DecodeResult<ReadingBatch> result = V1Codec.decodeReadings(wrap(bytes), KEYS);
        assertThat(result).isInstanceOf(DecodeResult.Rejected.class);
        DecodeResult.Rejected<ReadingBatch> rejected = (DecodeResult.Rejected<ReadingBatch>) result;
        assertThat(rejected.reason()).isEqualTo(reason);
        assertThat(rejected.detail()).contains(detailPart);
    }

    static RejectReason reason(DecodeResult<?> result) {
        return result instanceof DecodeResult.Rejected<?> r ? r.reason() : null;
    }
}
