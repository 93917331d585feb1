package org.gridmeter.server.ingest;

/**
 * What {@code GET /usuario/rede/} shows of a meter (see {@link MeterNetwork} for how each count is
 * told); the {@code null} counts are not known for it (legacy datagrams carry no sequence numbers).
 *
 * @param address the sender of its latest datagram, {@code host:port}
 */
public record NetworkView(long meterId, String transport, String format, long datagrams, long readings,
        Long lostInTransit, long duplicates, long outOfOrder, Long resent, Long lastSequence, long lastHeardMillis,
        String address) {
}
