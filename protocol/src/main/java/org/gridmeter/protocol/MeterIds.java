package org.gridmeter.protocol;

/** The one rule for meter ids: unsigned 32-bit, at least 1. */
final class MeterIds {

    private MeterIds() {
    }

    static void check(long meterId) {
        if (meterId < 1 || meterId > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("meterId: " + meterId + " (expected: 1..4294967295)");
        }
    }
}
