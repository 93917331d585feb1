package org.gridmeter.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.gridmeter.protocol.Datagrams.hex;
import static org.gridmeter.protocol.Datagrams.wrap;
import static org.gridmeter.protocol.V1CodecTest.reason;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Fixtures made once with Python 3: {@code d = struct.pack("Iqf", id, secs, cum); d + hashlib.md5(d).digest()}. */
class LegacyDatagramCodecTest {

    @ParameterizedTest(name = "client {1} at {2}: {3} mWh")
    @CsvSource({
        // python bytes, client id, unix seconds, expected mWh (float32 value * 100, rounded)
        "0100000000000000e06618640000000066e64046809b660592e811aafc47c1fdb122f6f2, 1, 1679320800, 1234560",
        "030000000000000000f15365000000000000000002cffac30b823e4f9ff975fed4721f22, 3, 1700000000, 0",
        "2a0000000000000000b9556900000000001bb74977b75d6cb3e1cf045e116c0a5dea8a58, 42, 1767225600, 150000000",
    })
    void decodesDatagramsOfTheOriginalPythonMeter(String python, long clientId, long seconds, long mwh) {
        ReadingBatch batch = LegacyDatagramCodec.decode(wrap(hex(python))).orElseThrow();

        assertThat(batch.meterId()).isEqualTo(clientId);
        assertThat(batch.integrity()).isEqualTo(Integrity.LEGACY_MD5);
        assertThat(batch.ackRequested()).isFalse();
        assertThat(batch.readings()).containsExactly(
                new Reading(Reading.NO_SEQUENCE, seconds * 1000, mwh, Reading.NO_POWER));
    }

    @Test
    void kilowattHoursAreTheOriginalValueDividedBy10000() {
        // The original server showed cumulative / 10_000 kWh: 12345.6 -> 1.23456 kWh = 1,234,560 mWh.
        ReadingBatch batch = LegacyDatagramCodec.decode(wrap(LegacyDatagramCodec.encode(1, 0, 12345.6f))).orElseThrow();

        assertThat(batch.readings().get(0).energyMwh()).isEqualTo(1_234_560);
    }

    @Test
    void encodesExactlyAsPythonDoes() {
        assertThat(LegacyDatagramCodec.encode(1, 1679320800, 12345.6f))
                .isEqualTo(hex("0100000000000000e06618640000000066e64046809b660592e811aafc47c1fdb122f6f2"));
    }

    @Test
    void decodesTheSameFromLittleEndianBuffers() {
        byte[] bytes = LegacyDatagramCodec.encode(9, 1_700_000_000L, 77.5f);

        assertThat(LegacyDatagramCodec.decode(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN)).orElseThrow())
                .isEqualTo(LegacyDatagramCodec.decode(wrap(bytes)).orElseThrow());
    }

    @Test
    void rejectsWrongLength() {
        assertThat(reason(LegacyDatagramCodec.decode(wrap(new byte[35])))).isEqualTo(RejectReason.TOO_SHORT);
        assertThat(reason(LegacyDatagramCodec.decode(wrap(new byte[37])))).isEqualTo(RejectReason.OVERSIZE);
    }

    @Test
    void rejectsBadDigest() {
        byte[] bytes = LegacyDatagramCodec.encode(1, 1_700_000_000L, 5f);
        bytes[16] ^= 0x40;

        assertThat(reason(LegacyDatagramCodec.decode(wrap(bytes)))).isEqualTo(RejectReason.BAD_DIGEST);
    }

    @Test
    void rejectsOutOfRangeValuesEvenWithAValidDigest() {
        for (byte[] bytes : List.of(
                withDigest(0, 1_700_000_000L, 5f),
                withDigest(1, -1, 5f),
                withDigest(1, Long.MAX_VALUE, 5f),
                withDigest(1, 1_700_000_000L, -1f),
                withDigest(1, 1_700_000_000L, Float.NaN),
                withDigest(1, 1_700_000_000L, Float.POSITIVE_INFINITY))) {
            assertThat(reason(LegacyDatagramCodec.decode(wrap(bytes)))).isEqualTo(RejectReason.VALUE_OUT_OF_RANGE);
        }
    }

    /** Builds a legacy datagram without the encoder's argument checks. */
    private static byte[] withDigest(long id, long seconds, float cumulative) {
        ByteBuffer buf = ByteBuffer.allocate(36).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(0, (int) id).putLong(8, seconds).putFloat(16, cumulative);
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(buf.array(), 0, 20);
            buf.put(20, md5.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        return buf.array();
    }
}
