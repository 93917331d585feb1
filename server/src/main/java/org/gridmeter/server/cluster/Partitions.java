package org.gridmeter.server.cluster;

/** How meter ids fall into the cluster's partitions: {@code id mod 64}, the same on every node. */
public final class Partitions {

    /** Fixed in the schema (one {@code cluster_partitions} row each). */
    public static final int COUNT = 64;

    private Partitions() {
    }

    public static int of(long meterId) {
        return (int) Math.floorMod(meterId, (long) COUNT);
    }
}
