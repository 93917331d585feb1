package org.gridmeter.protocol;

/** Why a datagram was rejected by a codec. {@link #label()} is the metrics label. */
public enum RejectReason {
    /** Shorter than the smallest valid datagram, or than its header says. */
    TOO_SHORT,
    /** Longer than {@link Wire#MAX_DATAGRAM_SIZE}. */
    OVERSIZE,
    /** The first two bytes are not "GM". */
    BAD_MAGIC,
    /** The version byte is not one this codec speaks. */
    UNKNOWN_VERSION,
    /** The type byte is unknown, or not the one expected here (an ACK sent to the server). */
    UNKNOWN_TYPE,
    /** A flag bit that version 1 does not define is set. */
    UNKNOWN_FLAGS,
    /** The reading count does not match the datagram length. */
    LENGTH_MISMATCH,
    /** The CRC-32C trailer does not match. */
    BAD_CRC,
    /** The HMAC tag does not match the meter's key. */
    BAD_TAG,
    /** The datagram is authenticated but no key is known for the meter. */
    UNKNOWN_KEY,
    /** The legacy MD5 digest does not match. */
    BAD_DIGEST,
    /** A 36-byte legacy datagram arrived while legacy datagrams are turned off. */
    LEGACY_DISABLED,
    /** A field holds a value outside its valid range (meter id 0, negative energy, ...). */
    VALUE_OUT_OF_RANGE;

    private final String label = name().toLowerCase(java.util.Locale.ROOT);

    public String label() {
        return label;
    }
}
