package org.gridmeter.protocol;

/** A datagram that fails a check, for callers that prefer an exception to a {@link DecodeResult}. */
public final class MalformedDatagramException extends RuntimeException {

    private final RejectReason reason;

    public MalformedDatagramException(RejectReason reason, String detail) {
        super(reason.label() + ": " + detail);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
