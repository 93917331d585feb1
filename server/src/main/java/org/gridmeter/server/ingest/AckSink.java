package org.gridmeter.server.ingest;

import java.net.InetSocketAddress;
import org.gridmeter.protocol.Ack;

/** Sends ACK datagrams to meters. Callable from any thread; never blocks. */
interface AckSink {

    /** @param key the meter's key to authenticate the ACK with, or {@code null} for a CRC */
    void send(Ack ack, byte[] key, InetSocketAddress to);
}
