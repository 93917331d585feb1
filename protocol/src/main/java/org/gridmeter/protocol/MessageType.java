package org.gridmeter.protocol;

/** The version-1 message types, carried in byte 3 of the header. */
public enum MessageType {
    /** Meter to server: 1..N readings of one meter. */
    READINGS((byte) 0x01),
    /** Server to meter: sequence ranges of readings that are stored. */
    ACK((byte) 0x02),
    /** Server to meter: sequence ranges of readings the server will never store, and why. */
    REFUSAL((byte) 0x03);

    private final byte byteValue;

    MessageType(byte byteValue) {
        this.byteValue = byteValue;
    }

    public byte byteValue() {
        return byteValue;
    }

    /** The type with this wire value, or {@code null} if none (the caller names the rejection). */
    public static MessageType valueOf(byte value) {
        return switch (value) {
            case 0x01 -> READINGS;
            case 0x02 -> ACK;
            case 0x03 -> REFUSAL;
            default -> null;
        };
    }
}
