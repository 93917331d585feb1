package org.gridmeter.server.cluster;

import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.gridmeter.server.store.PostgresDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part in a cluster (docs/scaling.md): it joins (draws an incarnation), and a keeper
 * thread with its own connection renews the node's heartbeat and leases every quarter of the lease
 * timeout, learns who owns what ({@link Ownership}) and asks the writer to take or give up
 * partitions so that each live node holds its share. The writer calls {@link #claim}, {@link
 * #release} and {@link #fence} inside its own transactions.
 */
public final class ClusterMember implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterMember.class);

    /** What the writer does when asked to move partitions; each completes with the partitions moved. */
    public interface Moves {
        CompletableFuture<List<Integer>> take(List<Integer> partitions);

        CompletableFuture<List<Integer>> giveUp(List<Integer> partitions);
    }

    /** The cluster as the keeper last read it, for {@code GET /cluster}. */
    public record Status(List<NodeStatus> nodes, long readAtMillis) {
    }

    /** One node: whether it is alive and the partitions it holds with their epochs. */
    public record NodeStatus(String id, boolean alive, boolean self, InetSocketAddress udp, InetSocketAddress http,
            Map<Integer, Long> partitions) {
    }

    private final String nodeId;
    private final Duration leaseTimeout;
    private final LeaseTable table;
    private final Connection connection;
    private final Ownership ownership;
    private final long incarnation;
    private final Envelope envelope;
    private final Thread keeper;
    private final java.time.Clock clock;
    private volatile Moves moves;
    private volatile Sync sync = c -> { };
    /** This node's open event streams, told to the others with the heartbeat. */
    private volatile java.util.function.IntSupplier streams = () -> 0;
    /** Whether another live node has an open event stream: then this node's events go out (EventRelay). */
    private volatile boolean othersListen;

    /** What the keeper refreshes every round from the database, on its own connection (the users other nodes handle). */
    public interface Sync {
        void refresh(Connection keeperConnection) throws SQLException;
    }
    private volatile boolean running = true;
    private volatile Status status = new Status(List.of(), 0);
    private CompletableFuture<List<Integer>> moving = CompletableFuture.completedFuture(List.of());
    private long lastFailureLog;

    /** Joins: opens the keeper's connection, draws this process's incarnation, reads the cluster key. */
    public ClusterMember(String nodeId, Duration leaseTimeout, String host, PostgresDatabase database,
            java.time.Clock clock) throws SQLException {
        this.nodeId = nodeId;
        this.leaseTimeout = leaseTimeout;
        this.clock = clock;
        this.table = new LeaseTable(leaseTimeout.toMillis());
        this.connection = database.openSide("gridmeter-lease-keeper");
        try {
            this.incarnation = table.register(connection, nodeId, host, 0, 0);
            this.envelope = new Envelope(LeaseTable.secret(connection));
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        this.ownership = new Ownership(nodeId);
        this.keeper = new Thread(this::keep, "gridmeter-lease-keeper");
        keeper.setDaemon(true);
        log.info("event=cluster_joined node={} incarnation={} lease_timeout={}", nodeId, incarnation, leaseTimeout);
    }

    /** The writer's log is this incarnation's. */
    public long incarnation() {
        return incarnation;
    }

    public Ownership ownership() {
        return ownership;
    }

    public Envelope envelope() {
        return envelope;
    }

    public Status status() {
        return status;
    }

    /** Counts this node's open event streams (the heartbeat carries the count). */
    public void streams(java.util.function.IntSupplier count) {
        this.streams = count;
    }

    /** Whether another live node has an open event stream, as of the keeper's last round. */
    public boolean othersListen() {
        return othersListen;
    }

    /** Publishes this node's ports and starts the keeper, which then moves partitions through {@code moves}. */
    public void start(String host, int udpPort, int httpPort, Moves writerMoves, Sync everyRound) throws SQLException {
        table.register(connection, nodeId, host, udpPort, httpPort, incarnation);
        this.sync = everyRound;
        this.moves = writerMoves;
        keeper.start();
    }

    private void keep() {
        long period = Math.max(50, leaseTimeout.toMillis() / 4);
        while (running) {
            try {
                round();
            } catch (SQLException | RuntimeException e) {
                long now = System.nanoTime();
                if (now - lastFailureLog > 1_000_000_000L) {
                    lastFailureLog = now;
                    log.warn("event=lease_keeper_failed node={} detail=\"{}\" what_to_do=\"check that PostgreSQL "
                            + "is reachable: without renewals this node's leases expire in {}\"", nodeId, e.getMessage(),
                            leaseTimeout);
                }
            }
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One round: renew, read, then at most one move at a time. */
    void round() throws SQLException {
        table.renew(connection, nodeId, incarnation, streams.getAsInt());
        List<LeaseTable.Lease> leases = table.leases(connection);
        List<LeaseTable.NodeRow> nodes = table.nodes(connection);
        Map<String, LeaseTable.NodeRow> alive = new LinkedHashMap<>();
        for (LeaseTable.NodeRow n : nodes) {
            if (n.alive() || n.id().equals(nodeId)) {
                alive.put(n.id(), n);
            }
        }
        Ownership.Node[] owners = new Ownership.Node[Partitions.COUNT];
        Map<String, Map<Integer, Long>> held = new HashMap<>();
        List<Integer> free = new ArrayList<>();
        List<Integer> mine = new ArrayList<>();
        for (LeaseTable.Lease l : leases) {
            if (!l.live()) {
                free.add(l.partition());
                continue;
            }
            held.computeIfAbsent(l.owner(), k -> new java.util.TreeMap<>()).put(l.partition(), l.epoch());
            LeaseTable.NodeRow owner = alive.get(l.owner());
            if (owner != null && owner.incarnation() == l.incarnation() && owner.udpPort() > 0) {
                owners[l.partition()] = owner.node();
            }
            if (l.owner().equals(nodeId) && l.incarnation() == incarnation) {
                mine.add(l.partition());
            }
        }
        ownership.owners(owners);
        boolean listening = false;
        for (LeaseTable.NodeRow n : alive.values()) {
            listening |= !n.id().equals(nodeId) && n.alive() && n.streams() > 0;
        }
        othersListen = listening;
        sync.refresh(connection);
        List<NodeStatus> statuses = new ArrayList<>();
        for (LeaseTable.NodeRow n : nodes) {
            statuses.add(new NodeStatus(n.id(), alive.containsKey(n.id()), n.id().equals(nodeId),
                    n.node().udp(), n.node().http(), held.getOrDefault(n.id(), Map.of())));
        }
        status = new Status(statuses, clock.millis());
        Moves writer = moves;
        if (writer == null || !moving.isDone()) {
            return;
        }
        int share = (Partitions.COUNT + alive.size() - 1) / alive.size();
        if (mine.size() < share && !free.isEmpty()) {
            List<Integer> wanted = free.subList(0, Math.min(free.size(), share - mine.size()));
            moving = writer.take(new ArrayList<>(wanted)).whenComplete(logged("taken"));
        } else if (mine.size() > share) {
            List<Integer> extra = new ArrayList<>(mine.subList(share, mine.size()));
            moving = writer.giveUp(extra).whenComplete(logged("released"));
        }
    }

    private java.util.function.BiConsumer<List<Integer>, Throwable> logged(String what) {
        return (moved, failure) -> {
            if (failure != null) {
                log.warn("event=partitions_not_{} node={} detail=\"{}\"", what, nodeId, failure.getMessage());
            } else if (!moved.isEmpty()) {
                log.info("event=partitions_{} node={} partitions={} holding={}", what, nodeId, moved,
                        ownership.held().size());
            }
        };
    }

    /** Writer: takes what is still free of {@code wanted} in its open transaction, and holds it from now. */
    public List<LeaseTable.Claimed> claim(Connection writer, List<Integer> wanted) throws SQLException {
        List<LeaseTable.Claimed> claimed = table.claim(writer, wanted, nodeId, incarnation);
        for (LeaseTable.Claimed c : claimed) {
            ownership.held(c.partition(), c.epoch());
        }
        return claimed;
    }

    /** Writer: gives partitions up in its open transaction; they are not held from now. */
    public void release(Connection writer, List<Integer> partitions) throws SQLException {
        for (int p : partitions) {
            ownership.held(p, -1);
        }
        table.release(writer, partitions, nodeId, incarnation);
    }

    /** Writer: the logs of incarnations nothing needs any more (see {@link LeaseTable#unusedLogs}). */
    public List<Long> unusedLogs(Connection writer) throws SQLException {
        return table.unusedLogs(writer);
    }

    /**
     * Writer, last before each commit: the fencing check. Throws {@link FencedException} naming the
     * partitions lost (they are no longer held from then on); the caller rolls back.
     */
    public void fence(Connection writer) throws SQLException {
        Map<Integer, Long> held = new HashMap<>();
        for (int p : ownership.held()) {
            held.put(p, ownership.epoch(p));
        }
        List<Integer> lost = table.lost(writer, held, incarnation);
        if (!lost.isEmpty()) {
            for (int p : lost) {
                ownership.held(p, -1);
            }
            throw new FencedException(lost);
        }
    }

    /** The meters of these partitions, as a test on ids. */
    public static java.util.function.LongPredicate in(java.util.Collection<Integer> partitions) {
        boolean[] set = new boolean[Partitions.COUNT];
        for (int p : partitions) {
            set[p] = true;
        }
        return id -> set[Partitions.of(id)];
    }

    /** Stops renewing; the leases expire (or were released by the writer's close). */
    @Override
    public void close() {
        running = false;
        keeper.interrupt();
        try {
            keeper.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            connection.close();
        } catch (SQLException e) {
            log.warn("event=lease_keeper_close_failed detail=\"{}\"", e.getMessage());
        }
    }

}
