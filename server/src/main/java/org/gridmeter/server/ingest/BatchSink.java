package org.gridmeter.server.ingest;

import java.net.InetSocketAddress;
import org.gridmeter.protocol.ReadingBatch;

/** Where accepted datagrams go: the writer's queue. Must not block; {@code false} when full. */
@FunctionalInterface
public interface BatchSink {

    /** @param replyTo where to send the ACK once stored, or {@code null} if none was asked for */
    boolean offer(ReadingBatch batch, InetSocketAddress replyTo);
}
