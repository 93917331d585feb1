package org.gridmeter.protocol;

/** How a datagram's integrity (or authenticity) was checked. */
public enum Integrity {
    /** Version 1: CRC-32C trailer. Detects corruption; anyone can forge it. */
    CRC32C,
    /** Version 1: HMAC-SHA256 truncated to 16 bytes, with the meter's key. */
    HMAC,
    /** Legacy: MD5 digest of the 20-byte payload. Detects corruption only. */
    LEGACY_MD5
}
