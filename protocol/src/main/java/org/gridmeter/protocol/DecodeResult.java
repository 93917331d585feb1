package org.gridmeter.protocol;

/**
 * The outcome of decoding a datagram: the value, or the reason it was rejected. Decoding returns
 * this instead of throwing so the ingest hot path pays nothing for garbage.
 *
 * @param <T> the decoded value type
 */
public sealed interface DecodeResult<T> {

    /** The value if decoded, otherwise throws {@link MalformedDatagramException} naming the reason. */
    T orElseThrow();

    /** A datagram that passed every check. */
    record Ok<T>(T value) implements DecodeResult<T> {
        @Override
        public T orElseThrow() {
            return value;
        }
    }

    /**
     * A rejected datagram.
     *
     * @param detail a human sentence, e.g. {@code "length: 17 (expected: 36 or 38..1400)"}
     */
    record Rejected<T>(RejectReason reason, String detail) implements DecodeResult<T> {
        @Override
        public T orElseThrow() {
            throw new MalformedDatagramException(reason, detail);
        }
    }

    static <T> DecodeResult<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> DecodeResult<T> rejected(RejectReason reason, String detail) {
        return new Rejected<>(reason, detail);
    }
}
