package org.gridmeter.protocol;

/** Why the server refuses readings for good, carried in byte 10 of a refusal message. */
public enum RefusalReason {
    /** Another value is stored for the same meter and timestamp; the first one stays. */
    CONFLICT((byte) 0x01),
    /** Older than the server keeps readings ({@code --retention}), or than what it kept of the meter. */
    TOO_OLD((byte) 0x02);

    private final byte byteValue;
    private final String label = name().toLowerCase(java.util.Locale.ROOT);

    RefusalReason(byte byteValue) {
        this.byteValue = byteValue;
    }

    public byte byteValue() {
        return byteValue;
    }

    /** The metrics and log label: {@code conflict}, {@code too_old}. */
    public String label() {
        return label;
    }

    /** The reason with this wire value, or {@code null} if none. */
    public static RefusalReason valueOf(byte value) {
        return switch (value) {
            case 0x01 -> CONFLICT;
            case 0x02 -> TOO_OLD;
            default -> null;
        };
    }
}
