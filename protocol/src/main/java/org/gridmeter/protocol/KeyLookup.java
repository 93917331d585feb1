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

    /**
     * The key the meter had before its current one, while it is still accepted (a key being changed:
     * the meter is switched a little later), or {@code null}. The caller must not modify the array.
     */
    default byte[] previousKeyFor(long meterId) {
        return null;
    }
}
