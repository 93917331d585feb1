package org.gridmeter.server.usage;

/** How a stored reading counts toward consumption; stored as its {@link #code()}. */
public enum ReadingKind {
    /** At or above the previous level: consumption is the difference. */
    NORMAL(0),
    /** The counter restarted from zero: consumption is the reading's own value. */
    RESET(1),
    /** A transient drop: consumption 0, and the next reading is compared with the level before it. */
    GLITCH(2),
    /** Below the previous level, not yet known to be a reset or a glitch: consumption 0 for now. */
    PENDING(3);

    private final int code;

    ReadingKind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static ReadingKind ofCode(int code) {
        return switch (code) {
            case 0 -> NORMAL;
            case 1 -> RESET;
            case 2 -> GLITCH;
            case 3 -> PENDING;
            default -> throw new IllegalArgumentException("reading kind code: " + code + " (expected: 0..3)");
        };
    }

    /** Whether the chain's level is this reading's energy after it (normal and reset readings). */
    public boolean setsLevel() {
        return this == NORMAL || this == RESET;
    }
}
