package org.gridmeter.protocol;

/**
 * Every wire constant of the datagram format in one place. Offsets are from the first byte of the
 * datagram; multi-byte fields of version 1 are big-endian (network byte order). See PROTOCOL.md.
 */
public final class Wire {

    /** "GM" in ASCII: the first two bytes of every version-1 datagram. */
    public static final int MAGIC = 0x474D;
    public static final byte VERSION_1 = 1;

    /** Largest datagram either side ever sends or accepts. */
    public static final int MAX_DATAGRAM_SIZE = 1400;

    // Version-1 header: magic(2) version(1) type(1) flags(1) count(1) meter id(4).
    public static final int OFFSET_MAGIC = 0;
    public static final int OFFSET_VERSION = 2;
    public static final int OFFSET_TYPE = 3;
    public static final int OFFSET_FLAGS = 4;
    public static final int OFFSET_COUNT = 5;
    public static final int OFFSET_METER_ID = 6;
    public static final int HEADER_SIZE = 10;

    /** Flag bit: the trailer is an HMAC-SHA256 tag truncated to 16 bytes instead of a CRC-32C. */
    public static final int FLAG_AUTH = 0x01;
    /** Flag bit: each reading carries an extra register, cumulative exported energy (mWh). */
    public static final int FLAG_EXPORT = 0x02;
    /** Flag bit: the meter asks for an ACK datagram once the readings are stored. */
    public static final int FLAG_ACK_REQUEST = 0x04;
    public static final int KNOWN_FLAGS = FLAG_AUTH | FLAG_EXPORT | FLAG_ACK_REQUEST;

    // One reading: sequence(4) timestamp ms(8) energy mWh(8) power W(4) [exported mWh(8)].
    public static final int READING_OFFSET_SEQUENCE = 0;
    public static final int READING_OFFSET_TIMESTAMP = 4;
    public static final int READING_OFFSET_ENERGY = 12;
    public static final int READING_OFFSET_POWER = 20;
    public static final int READING_OFFSET_EXPORTED = 24;
    public static final int READING_SIZE = 24;
    public static final int READING_SIZE_WITH_EXPORT = 32;

    // One ACK range: first sequence(4) last sequence(4).
    public static final int ACK_RANGE_SIZE = 8;
    /** Refusal: the reason byte, after the header and before the ranges. */
    public static final int OFFSET_REFUSAL_REASON = HEADER_SIZE;
    /** Most ranges one ACK or refusal carries: (1400 - header - reason byte - tag) / 8. */
    public static final int MAX_RANGES = (MAX_DATAGRAM_SIZE - HEADER_SIZE - 1 - 16) / 8;

    public static final int CRC_SIZE = 4;
    public static final int TAG_SIZE = 16;
    public static final String HMAC_ALGORITHM = "HmacSHA256";

    /** Latest timestamp accepted (9999-12-31T23:59:59.999Z), so every stored time can be formatted. */
    public static final long MAX_TIMESTAMP_MILLIS = 253_402_300_799_999L;

    // Legacy datagram: struct.pack("<Iqf") with native alignment, then MD5 of those 20 bytes.
    public static final int LEGACY_OFFSET_CLIENT_ID = 0;
    public static final int LEGACY_OFFSET_SECONDS = 8;
    public static final int LEGACY_OFFSET_CUMULATIVE = 16;
    public static final int LEGACY_PAYLOAD_SIZE = 20;
    public static final int LEGACY_DIGEST_SIZE = 16;
    public static final int LEGACY_SIZE = LEGACY_PAYLOAD_SIZE + LEGACY_DIGEST_SIZE;
    /** The legacy cumulative value counts units of 0.1 Wh = 100 mWh. */
    public static final int LEGACY_MWH_PER_UNIT = 100;

    private Wire() {
    }

    /** Size of one encoded reading for the given flags. */
    public static int readingSize(int flags) {
        return (flags & FLAG_EXPORT) != 0 ? READING_SIZE_WITH_EXPORT : READING_SIZE;
    }

    /** Size of the integrity trailer for the given flags. */
    public static int trailerSize(int flags) {
        return (flags & FLAG_AUTH) != 0 ? TAG_SIZE : CRC_SIZE;
    }

    /** Most readings one datagram can carry with the given flags (57 with CRC and no export). */
    public static int maxReadings(int flags) {
        return Math.min(255, (MAX_DATAGRAM_SIZE - HEADER_SIZE - trailerSize(flags)) / readingSize(flags));
    }
}
