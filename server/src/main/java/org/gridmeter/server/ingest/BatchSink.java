package org.gridmeter.server.ingest;

import java.net.InetSocketAddress;
import org.gridmeter.protocol.ReadingBatch;

/** Where accepted datagrams go: the writer's queue. Must not block; {@code false} when full. */
@FunctionalInterface
public interface BatchSink {

    /** @param from the datagram's sender: where the ACK goes once stored, if the meter asked for one */
    boolean offer(ReadingBatch batch, InetSocketAddress from);

    /** @param via the cluster node that forwarded the datagram, where the reply goes back through; {@code null}: none */
    default boolean offer(ReadingBatch batch, InetSocketAddress from, InetSocketAddress via) {
        return via == null && offer(batch, from);
    }
}
