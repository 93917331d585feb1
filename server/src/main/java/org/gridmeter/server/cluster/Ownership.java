package org.gridmeter.server.cluster;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Who handles each meter, as this node last learnt it: the partitions its writer holds (with the
 * epoch it took each at) and, for the others, the owning node's addresses. Written by the writer
 * (its own partitions) and the lease keeper (everyone's); read from any thread. A lone server owns
 * everything ({@link #ALONE}).
 */
public final class Ownership {

    /** A node as the others reach it. */
    public record Node(String id, InetSocketAddress udp, InetSocketAddress http) {
    }

    /** A lone server: every meter is local. */
    public static final Ownership ALONE = new Ownership(null);

    private final String nodeId;
    /** The epoch this node's writer holds each partition at, or -1. */
    private volatile long[] epochs = new long[Partitions.COUNT];
    /** Each partition's owner as the lease table last said, or {@code null} (none, or expired). */
    private volatile Node[] owners = new Node[Partitions.COUNT];

    Ownership(String nodeId) {
        this.nodeId = nodeId;
        java.util.Arrays.fill(epochs, nodeId == null ? 0 : -1);
    }

    /** Whether this is a node of a cluster (not a lone server). */
    public boolean clustered() {
        return nodeId != null;
    }

    public String nodeId() {
        return nodeId;
    }

    /** Whether this node's writer handles the meter. */
    public boolean local(long meterId) {
        return epochs[Partitions.of(meterId)] >= 0;
    }

    /** Whether this node's writer holds the partition. */
    public boolean holds(int partition) {
        return epochs[partition] >= 0;
    }

    /** The epoch this node holds the partition at, or -1. */
    public long epoch(int partition) {
        return epochs[partition];
    }

    /** The partitions this node's writer holds, in order. */
    public List<Integer> held() {
        long[] e = epochs;
        List<Integer> held = new ArrayList<>();
        for (int p = 0; p < e.length; p++) {
            if (e[p] >= 0) {
                held.add(p);
            }
        }
        return held;
    }

    /** The node that owns the meter's partition, if another and known; {@code null} otherwise. */
    public Node remoteOwner(long meterId) {
        int p = Partitions.of(meterId);
        return epochs[p] >= 0 ? null : owners[p];
    }

    /** The writer took the partition at {@code epoch}, or gave it up ({@code -1}). Writer thread. */
    void held(int partition, long epoch) {
        long[] next = epochs.clone();
        next[partition] = epoch;
        epochs = next;
    }

    /** What the lease keeper read: each partition's live owner (or {@code null}). */
    void owners(Node[] latest) {
        owners = latest.clone();
    }
}
