package org.gridmeter.server.cluster;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster's tables in PostgreSQL (docs/scaling.md): {@code cluster_nodes} (who runs, with a
 * heartbeat), {@code cluster_partitions} (one lease per partition: owner, the owner's incarnation,
 * the fencing epoch, expiry) and {@code cluster_secret}. Times are the database's
 * ({@code clock_timestamp()}), so nodes' clocks need not agree. Plain SQL on a connection the caller
 * gives: the lease keeper's own, or the writer's inside its transaction.
 */
public final class LeaseTable {

    /** A lease as read: {@code owner} null when released or never taken; {@code live} if unexpired. */
    record Lease(int partition, String owner, long incarnation, long epoch, boolean live) {
    }

    /** A node as read, {@code alive} if its heartbeat is within the lease timeout. */
    record NodeRow(String id, long incarnation, String udpHost, int udpPort, int httpPort, boolean alive, int streams) {
        Ownership.Node node() {
            return new Ownership.Node(id, new InetSocketAddress(udpHost, udpPort), new InetSocketAddress(udpHost, httpPort));
        }
    }

    /** A partition this node's writer just took: at {@code epoch}, from the log of {@code previous}. */
    public record Claimed(int partition, long epoch, long previous) {
    }

    private final long timeoutMillis;

    LeaseTable(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    private String expiry() {
        return "clock_timestamp() + interval '" + timeoutMillis + " milliseconds'";
    }

    private String recent() {
        return "clock_timestamp() - interval '" + timeoutMillis + " milliseconds'";
    }

    /** Draws this process's incarnation and records the node (autocommit connection). */
    long register(Connection c, String nodeId, String host, int udpPort, int httpPort) throws SQLException {
        long incarnation;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT nextval('cluster_incarnation')")) {
            rs.next();
            incarnation = rs.getLong(1);
        }
        register(c, nodeId, host, udpPort, httpPort, incarnation);
        return incarnation;
    }

    /** Records the node as this incarnation with these ports (again, once they are bound). */
    void register(Connection c, String nodeId, String host, int udpPort, int httpPort, long incarnation)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO cluster_nodes (node_id, incarnation, udp_host, "
                + "udp_port, http_port, heartbeat_at, started_at) VALUES (?, ?, ?, ?, ?, clock_timestamp(), "
                + "clock_timestamp()) ON CONFLICT (node_id) DO UPDATE SET incarnation = excluded.incarnation, "
                + "udp_host = excluded.udp_host, udp_port = excluded.udp_port, http_port = excluded.http_port, "
                + "heartbeat_at = excluded.heartbeat_at, started_at = excluded.started_at")) {
            ps.setString(1, nodeId);
            ps.setLong(2, incarnation);
            ps.setString(3, host);
            ps.setInt(4, udpPort);
            ps.setInt(5, httpPort);
            ps.executeUpdate();
        }
    }

    /** The heartbeat, and every lease of this incarnation renewed; returns how many leases it renewed. */
    int renew(Connection c, String nodeId, long incarnation, int streams) throws SQLException {
        try (PreparedStatement hb = c.prepareStatement("UPDATE cluster_nodes SET heartbeat_at = clock_timestamp(), "
                + "streams = " + streams + " WHERE node_id = ? AND incarnation = ?");
                PreparedStatement leases = c.prepareStatement("UPDATE cluster_partitions SET expires_at = " + expiry()
                        + " WHERE owner = ? AND incarnation = ?")) {
            hb.setString(1, nodeId);
            hb.setLong(2, incarnation);
            hb.executeUpdate();
            leases.setString(1, nodeId);
            leases.setLong(2, incarnation);
            return leases.executeUpdate();
        }
    }

    List<Lease> leases(Connection c) throws SQLException {
        List<Lease> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT partition, owner, incarnation, "
                + "epoch, owner IS NOT NULL AND expires_at > clock_timestamp() FROM cluster_partitions ORDER BY partition")) {
            while (rs.next()) {
                out.add(new Lease(rs.getInt(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getBoolean(5)));
            }
        }
        return out;
    }

    List<NodeRow> nodes(Connection c) throws SQLException {
        List<NodeRow> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT node_id, incarnation, udp_host, "
                + "udp_port, http_port, heartbeat_at > " + recent() + ", streams FROM cluster_nodes ORDER BY node_id")) {
            while (rs.next()) {
                out.add(new NodeRow(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getInt(4), rs.getInt(5),
                        rs.getBoolean(6), rs.getInt(7)));
            }
        }
        return out;
    }

    /**
     * Takes the partitions among {@code wanted} that are free (released, never taken, or expired),
     * each at its epoch + 1, in the writer's open transaction; the rows stay locked to its commit.
     */
    List<Claimed> claim(Connection c, List<Integer> wanted, String nodeId, long incarnation) throws SQLException {
        List<Claimed> claimed = new ArrayList<>();
        try (PreparedStatement lock = c.prepareStatement("SELECT incarnation, epoch FROM cluster_partitions "
                + "WHERE partition = ? AND (owner IS NULL OR expires_at < clock_timestamp()) FOR UPDATE");
                PreparedStatement take = c.prepareStatement("UPDATE cluster_partitions SET owner = ?, incarnation = ?, "
                        + "epoch = epoch + 1, expires_at = " + expiry() + " WHERE partition = ?")) {
            for (int p : wanted) {
                lock.setInt(1, p);
                try (ResultSet rs = lock.executeQuery()) {
                    if (!rs.next()) {
                        continue; // someone holds it
                    }
                    long previous = rs.getLong(1);
                    long epoch = rs.getLong(2) + 1;
                    take.setString(1, nodeId);
                    take.setLong(2, incarnation);
                    take.setInt(3, p);
                    take.executeUpdate();
                    claimed.add(new Claimed(p, epoch, previous));
                }
            }
        }
        return claimed;
    }

    /** Gives partitions up (in the writer's transaction): free at once for another node to claim. */
    void release(Connection c, List<Integer> partitions, String nodeId, long incarnation) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE cluster_partitions SET owner = NULL, "
                + "expires_at = '-infinity' WHERE partition = ANY(?) AND owner = ? AND incarnation = ?")) {
            ps.setArray(1, ints(c, partitions));
            ps.setString(2, nodeId);
            ps.setLong(3, incarnation);
            ps.executeUpdate();
        }
    }

    /**
     * The fencing check, last in every write transaction: locks the rows of the partitions this
     * writer holds (to its commit) and returns those it no longer holds at the epoch it took them at
     * with an unexpired lease. Empty: the transaction may commit.
     */
    List<Integer> lost(Connection c, Map<Integer, Long> held, long incarnation) throws SQLException {
        List<Integer> lost = new ArrayList<>();
        if (held.isEmpty()) {
            return lost;
        }
        Map<Integer, Boolean> seen = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT partition, incarnation = ? "
                + "AND expires_at > clock_timestamp(), epoch FROM cluster_partitions WHERE partition = ANY(?) "
                + "ORDER BY partition FOR SHARE")) {
            ps.setLong(1, incarnation);
            ps.setArray(2, ints(c, new ArrayList<>(held.keySet())));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int p = rs.getInt(1);
                    seen.put(p, rs.getBoolean(2) && rs.getLong(3) == held.get(p));
                }
            }
        }
        for (int p : held.keySet()) {
            if (!seen.getOrDefault(p, false)) {
                lost.add(p);
            }
        }
        return lost;
    }

    /** Incarnations with a reading log that no lease names and whose node is not running: nothing needs them. */
    List<Long> unusedLogs(Connection c) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT DISTINCT writer FROM checkpoint "
                + "WHERE writer NOT IN (SELECT incarnation FROM cluster_partitions) AND writer NOT IN "
                + "(SELECT incarnation FROM cluster_nodes WHERE heartbeat_at > " + recent() + ")")) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    /** The key that authenticates datagrams forwarded between nodes: made by the first node, read by the rest. */
    static byte[] secret(Connection c) throws SQLException {
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO cluster_secret (id, key) VALUES (1, ?) "
                + "ON CONFLICT (id) DO NOTHING")) {
            ps.setBytes(1, fresh);
            ps.executeUpdate();
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT key FROM cluster_secret")) {
            rs.next();
            return rs.getBytes(1);
        }
    }

    private static Array ints(Connection c, List<Integer> values) throws SQLException {
        return c.createArrayOf("integer", values.toArray());
    }
}
