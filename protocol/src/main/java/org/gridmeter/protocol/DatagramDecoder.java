package org.gridmeter.protocol;

import java.nio.ByteBuffer;

/**
 * The server's entry point: tells a legacy datagram (exactly 36 bytes, shorter than any version-1
 * readings datagram) from a version-1 one and decodes it. Thread-safe.
 */
public final class DatagramDecoder {

    private final KeyLookup keys;
    private final boolean legacyEnabled;

    /**
     * @param keys          finds meters' HMAC keys
     * @param legacyEnabled whether 36-byte legacy datagrams are accepted
     */
    public DatagramDecoder(KeyLookup keys, boolean legacyEnabled) {
        this.keys = keys;
        this.legacyEnabled = legacyEnabled;
    }

    /** Decodes the bytes from {@code buf}'s position to its limit (big-endian buffer). */
    public DecodeResult<ReadingBatch> decode(ByteBuffer buf) {
        if (buf.remaining() == Wire.LEGACY_SIZE) {
            return legacyEnabled ? LegacyDatagramCodec.decode(buf)
                    : DecodeResult.rejected(RejectReason.LEGACY_DISABLED,
                            "legacy datagram (36 bytes) while --legacy-datagrams=false");
        }
        return V1Codec.decodeReadings(buf, keys);
    }
}
