package org.gridmeter.server.ingest;

import java.net.InetSocketAddress;
import org.gridmeter.protocol.Ack;
import org.gridmeter.protocol.Refusal;

/** Sends ACK and refusal datagrams to meters. Callable from any thread; never blocks. */
public interface AckSink {

    /** @param key the meter's key to authenticate the ACK with, or {@code null} for a CRC */
    void send(Ack ack, byte[] key, InetSocketAddress to);

    /** @param key the meter's key to authenticate the refusal with, or {@code null} for a CRC */
    void send(Refusal refusal, byte[] key, InetSocketAddress to);

    /** Sends the ACK to the meter at {@code to} through {@code via}, the cluster node it came through, if not {@code null}. */
    default void send(Ack ack, byte[] key, InetSocketAddress to, InetSocketAddress via) {
        send(ack, key, to);
    }

    /** Sends the refusal to the meter at {@code to} through {@code via}, if not {@code null}. */
    default void send(Refusal refusal, byte[] key, InetSocketAddress to, InetSocketAddress via) {
        send(refusal, key, to);
    }

    /** Sends nothing (until the UDP side is bound). */
    AckSink NONE = new AckSink() {
        @Override
        public void send(Ack ack, byte[] key, InetSocketAddress to) {
        }

        @Override
        public void send(Refusal refusal, byte[] key, InetSocketAddress to) {
        }
    };
}
