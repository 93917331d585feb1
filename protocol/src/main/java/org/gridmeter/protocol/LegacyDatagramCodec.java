package org.gridmeter.protocol;

import static org.gridmeter.protocol.Wire.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The 36-byte datagram of the original Python meters: {@code struct.pack("Iqf", id, seconds,
 * cumulative)} (little-endian, native alignment: uint32, 4 padding bytes, int64, float32) followed
 * by the MD5 digest of those 20 bytes. The cumulative value counts units of 0.1 Wh. Thread-safe.
 */
public final class LegacyDatagramCodec {

    private LegacyDatagramCodec() {
    }

    /**
     * Decodes a legacy datagram into a batch of one reading with no sequence and no power. The
     * float is converted to whole mWh by rounding {@code value * 100}.
     */
    public static DecodeResult<ReadingBatch> decode(ByteBuffer buf) {
        int base = buf.position();
        int length = buf.remaining();
        if (length != LEGACY_SIZE) {
            return DecodeResult.rejected(length < LEGACY_SIZE ? RejectReason.TOO_SHORT : RejectReason.OVERSIZE,
                    "legacy length: " + length + " (expected: " + LEGACY_SIZE + ")");
        }
        byte[] digest = Checksums.md5(buf, base, base + LEGACY_PAYLOAD_SIZE);
        if (!Checksums.tagMatches(buf, base + LEGACY_PAYLOAD_SIZE, digest, LEGACY_DIGEST_SIZE)) {
            return DecodeResult.rejected(RejectReason.BAD_DIGEST, "legacy MD5 digest does not match its 20 bytes");
        }
        boolean bigEndian = buf.order() == ByteOrder.BIG_ENDIAN;
        int rawId = buf.getInt(base + LEGACY_OFFSET_CLIENT_ID);
        long rawSeconds = buf.getLong(base + LEGACY_OFFSET_SECONDS);
        int rawCumulative = buf.getInt(base + LEGACY_OFFSET_CUMULATIVE);
        long clientId = Integer.toUnsignedLong(bigEndian ? Integer.reverseBytes(rawId) : rawId);
        long seconds = bigEndian ? Long.reverseBytes(rawSeconds) : rawSeconds;
        float cumulative = Float.intBitsToFloat(bigEndian ? Integer.reverseBytes(rawCumulative) : rawCumulative);
        if (clientId == 0) {
            return DecodeResult.rejected(RejectReason.VALUE_OUT_OF_RANGE, "client id: 0 (expected: 1..4294967295)");
        }
        if (seconds < 0 || seconds > MAX_TIMESTAMP_MILLIS / 1000) {
            return DecodeResult.rejected(RejectReason.VALUE_OUT_OF_RANGE,
                    "unix seconds: " + seconds + " (expected: 0.." + MAX_TIMESTAMP_MILLIS / 1000 + ")");
        }
        if (!(cumulative >= 0) || Float.isInfinite(cumulative)) {
            return DecodeResult.rejected(RejectReason.VALUE_OUT_OF_RANGE,
                    "cumulative: " + cumulative + " (expected: a finite number >= 0)");
        }
        long energyMwh = Math.round((double) cumulative * LEGACY_MWH_PER_UNIT);
        Reading reading = new Reading(Reading.NO_SEQUENCE, seconds * 1000, energyMwh, Reading.NO_POWER);
        return DecodeResult.ok(new ReadingBatch(clientId, List.of(reading), Integrity.LEGACY_MD5, false));
    }

    /** Builds a legacy datagram exactly as the original Python meter did. */
    public static byte[] encode(long clientId, long unixSeconds, float cumulative) {
        if (clientId < 1 || clientId > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("clientId: " + clientId + " (expected: 1..4294967295)");
        }
        ByteBuffer buf = ByteBuffer.allocate(LEGACY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(LEGACY_OFFSET_CLIENT_ID, (int) clientId);
        buf.putLong(LEGACY_OFFSET_SECONDS, unixSeconds);
        buf.putFloat(LEGACY_OFFSET_CUMULATIVE, cumulative);
        buf.put(LEGACY_PAYLOAD_SIZE, Checksums.md5(buf, 0, LEGACY_PAYLOAD_SIZE));
        return buf.array();
    }
}
