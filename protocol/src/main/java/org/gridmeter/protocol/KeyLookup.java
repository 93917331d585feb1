package org.gridmeter.protocol;

/**
 * Finds a meter's HMAC key. Called on the decoding thread for every authenticated datagram, so it
 * must be fast and must not block.
 */
@FunctionalInterface
public interface KeyLookup {

    /** No meter has a key. */
    KeyLookup NONE = meterId -> null;

    /** The meter's key, or {@code null} if it has none. The caller must not modify the array. */
    byte[] keyFor(long meterId);
}
