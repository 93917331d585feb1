package org.gridmeter.server.ingest;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.gridmeter.protocol.Wire;

/**
 * The last {@value #CAPACITY} datagrams received, with their bytes and what became of them, for
 * {@code GET /debug/datagramas}: a student whose meter is refused sees why. One writer (the UDP
 * event loop) copies each datagram into a preallocated slot and then publishes it by a volatile
 * count, so recording allocates nothing; readers copy the slots and keep only those the writer
 * cannot have overwritten while they copied.
 */
public final class DatagramLog {

    public static final int CAPACITY = 200;
    /** One more slot than shown: the one the writer may be filling while a reader copies the others. */
    private static final int SLOTS = CAPACITY + 1;
    /** Bytes kept of a datagram; longer ones (already rejected as oversize) are cut here. */
    static final int MAX_BYTES = Wire.MAX_DATAGRAM_SIZE + 100;

    /** One datagram as it was received; {@code reason} is {@code null} if it was accepted. */
    public record Entry(long receivedMillis, InetSocketAddress sender, byte[] bytes, int length, String reason) {
    }

    private final long[] times = new long[SLOTS];
    private final InetSocketAddress[] senders = new InetSocketAddress[SLOTS];
    private final byte[][] contents = new byte[SLOTS][MAX_BYTES];
    private final int[] lengths = new int[SLOTS];
    private final String[] reasons = new String[SLOTS];
    private volatile long recorded;

    /**
     * Records the bytes of {@code content} from {@code start} (its position is not moved) and the
     * outcome. The UDP event loop only.
     */
    void record(long receivedMillis, InetSocketAddress sender, ByteBuffer content, int start, int length, String reason) {
        long n = recorded;
        int slot = (int) (n % SLOTS);
        int kept = Math.min(length, MAX_BYTES);
        content.get(start, contents[slot], 0, kept);
        times[slot] = receivedMillis;
        senders[slot] = sender;
        lengths[slot] = length;
        reasons[slot] = reason;
        recorded = n + 1; // publishes the slot
    }

    /** The datagrams kept, newest first. Any thread. */
    public List<Entry> newestFirst() {
        long before = recorded;
        List<Entry> copies = new ArrayList<>(CAPACITY);
        for (long i = before - 1; i >= Math.max(0, before - CAPACITY); i--) {
            int slot = (int) (i % SLOTS);
            int length = lengths[slot];
            copies.add(new Entry(times[slot], senders[slot], java.util.Arrays.copyOf(contents[slot],
                    Math.min(length, MAX_BYTES)), length, reasons[slot]));
        }
        long after = recorded;
        // entry i sits in the slot the writer reuses for i + SLOTS: keep those it cannot have touched
        // (up to the one it may be writing now, index after)
        long oldestSafe = after - SLOTS + 1;
        int keep = (int) Math.max(0, Math.min(copies.size(), before - oldestSafe));
        return copies.subList(0, keep);
    }

    /** How many datagrams were ever recorded. */
    public long recorded() {
        return recorded;
    }
}
