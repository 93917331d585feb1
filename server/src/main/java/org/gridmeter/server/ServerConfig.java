package org.gridmeter.server;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;
import org.gridmeter.server.store.PostgresTarget;

/**
 * Everything the server can be told, built once from flags and environment variables
 * ({@link ServerCommand}) or directly by tests, and passed down through constructors.
 *
 * @param adminToken the admin bearer token, or {@code null} to use (or generate) {@code <dataDir>/admin-token}
 * @param store      {@code null} or {@code "sqlite"} for the embedded database in {@code dataDir}, or
 *                   {@code postgresql://host:port/database?user=NAME} ({@link PostgresTarget})
 * @param storePassword the PostgreSQL password ({@code GRIDMETER_STORE_PASSWORD} or {@code PGPASSWORD}), or {@code null}
 * @param tuning     the writer's and the store's pacing; {@link Tuning#DEFAULTS} but for tests
 */
public record ServerConfig(
        String bind,
        int udpPort,
        int httpPort,
        Path dataDir,
        ZoneId zone,
        int closingDay,
        boolean legacyDatagrams,
        Duration maxFutureSkew,
        int orphanLimit,
        Duration commitInterval,
        Duration closeGrace,
        BigDecimal excessKwh,
        BigDecimal excessKw,
        BigDecimal variationKwh,
        Duration offlineAfter,
        String adminToken,
        boolean readAuth,
        int maxRate,
        String store,
        String storePassword,
        Duration retention,
        int maxConnections,
        Duration idleTimeout,
        int httpRate,
        int maxStreamsPerClient,
        Duration keyGrace,
        Tuning tuning,
        Cluster cluster) {

    /**
     * A node of a cluster on one PostgreSQL (docs/scaling.md), or {@link #NONE}.
     *
     * @param nodeId       {@code --node-id}: this node's name, or {@code null} for a lone server
     * @param leaseTimeout {@code --lease-timeout}: how long a node's partitions stay its own without renewal
     * @param address      {@code --node-address}: where the other nodes reach this one, or {@code null} for the
     *                     bind address (this host's address when binding every interface)
     */
    public record Cluster(String nodeId, Duration leaseTimeout, String address) {
        public static final Cluster NONE = new Cluster(null, Duration.ofSeconds(10), null);

        public Cluster {
            requirePositive("--lease-timeout", leaseTimeout);
            if (nodeId != null && !nodeId.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new IllegalArgumentException("--node-id: '" + nodeId + "' (expected: 1 to 64 letters, digits, "
                        + "'.', '_' or '-', e.g. --node-id a)");
            }
        }

        public boolean enabled() {
            return nodeId != null;
        }
    }

    /**
     * How the single writer and the store pace their work: every default in one place, what was
     * measured best here (docs/storage.md, docs/benchmarks.md).
     *
     * @param checkpointInterval    how often every changed meter state is saved ({@code --checkpoint-interval})
     * @param smallCheckpointMeters a commit that changed at most this many meters is a checkpoint anyway
     * @param mergeAfter            how long committed readings wait in the reading log before a merge
     * @param mergeChunk            readings a merge step inserts at a time
     * @param mergeAt               committed readings waiting in the log that make a merge due, however young
     * @param mergeBacklog          committed readings waiting beyond which merging goes before new readings
     * @param maxTransaction        changes after which a transaction commits before its time
     * @param queueCapacity         datagrams and commands the writer's queue holds (beyond: {@code queue_full})
     */
    public record Tuning(Duration checkpointInterval, int smallCheckpointMeters, Duration mergeAfter, int mergeChunk,
            int mergeAt, int mergeBacklog, int maxTransaction, int queueCapacity) {

        public static final Tuning DEFAULTS = new Tuning(Duration.ofSeconds(2), 256, Duration.ofSeconds(2), 10_000,
                1 << 19, 1_000_000, 20_000, 100_000);

        public Tuning {
            requirePositive("--checkpoint-interval", checkpointInterval);
            requirePositive("merge delay", mergeAfter);
            if (smallCheckpointMeters < 0 || mergeChunk < 1 || mergeAt < 1 || mergeBacklog < mergeAt
                    || maxTransaction < 1 || queueCapacity < 1) {
                throw new IllegalArgumentException("tuning: small checkpoint " + smallCheckpointMeters
                        + " meters, merge chunk " + mergeChunk + ", merge at " + mergeAt + ", merge backlog "
                        + mergeBacklog + ", transaction " + maxTransaction + ", queue " + queueCapacity
                        + " (expected: >= 0, >= 1, >= 1, >= merge at, >= 1, >= 1)");
            }
        }

        public Tuning withCheckpointInterval(Duration interval) {
            return new Tuning(interval, smallCheckpointMeters, mergeAfter, mergeChunk, mergeAt, mergeBacklog,
                    maxTransaction, queueCapacity);
        }

        public Tuning withSmallCheckpointMeters(int meters) {
            return new Tuning(checkpointInterval, meters, mergeAfter, mergeChunk, mergeAt, mergeBacklog,
                    maxTransaction, queueCapacity);
        }
    }

    public ServerConfig {
        Objects.requireNonNull(tuning, "tuning");
        Objects.requireNonNull(cluster, "cluster");
        if (cluster.enabled() && !PostgresTarget.names(store)) {
            throw new IllegalArgumentException("--node-id: several nodes share one PostgreSQL database (expected: "
                    + "--store postgresql://host:port/database?user=NAME as well)");
        }
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(zone, "zone");
        requirePort("--udp-port", udpPort);
        requirePort("--http-port", httpPort);
        if (closingDay < 1 || closingDay > 31) {
            throw new IllegalArgumentException("--closing-day: " + closingDay + " (expected: a day of the month from 1 to 31, e.g. --closing-day 10)");
        }
        requirePositive("--max-future-skew", maxFutureSkew);
        requirePositive("--commit-interval", commitInterval);
        requirePositive("--close-grace", closeGrace);
        requirePositive("--offline-after", offlineAfter);
        requirePositive("--retention", retention);
        requirePositive("--idle-timeout", idleTimeout);
        if (orphanLimit < 0) {
            throw new IllegalArgumentException("--orphan-limit: " + orphanLimit + " (expected: 0 or more meters, e.g. --orphan-limit 10000)");
        }
        if (keyGrace == null || keyGrace.isNegative()) {
            throw new IllegalArgumentException("--key-grace: " + keyGrace + " (expected: 0 or more, e.g. --key-grace 10m)");
        }
        if (httpRate < 1) {
            throw new IllegalArgumentException("--http-rate: " + httpRate
                    + " (expected: at least 1 request/s, e.g. --http-rate 2000)");
        }
        if (maxStreamsPerClient < 1) {
            throw new IllegalArgumentException("--max-streams-per-client: " + maxStreamsPerClient
                    + " (expected: at least 1, e.g. --max-streams-per-client 20)");
        }
        if (maxRate < 1) {
            throw new IllegalArgumentException("--max-rate: " + maxRate + " (expected: at least 1 datagram/s, e.g. --max-rate 50)");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("--max-connections: " + maxConnections + " (expected: at least 1, e.g. --max-connections 10000)");
        }
        requirePositive("--excess-kwh", excessKwh);
        requirePositive("--excess-kw", excessKw);
        requirePositive("--variation-kwh", variationKwh);
        if (adminToken != null && adminToken.length() < 16) {
            throw new IllegalArgumentException("--admin-token: too short (expected: at least 16 characters, e.g. the output of openssl rand -hex 16)");
        }
        if (PostgresTarget.names(store)) {
            PostgresTarget.parse(store); // says what is wrong with it
        } else if (store != null && !store.isBlank() && !store.equals("sqlite")) {
            throw new IllegalArgumentException("--store: '" + store
                    + "' (expected: sqlite, or postgresql://host:port/database?user=NAME)");
        }
    }

    /** Every field but the admin token, which must never reach a log. */
    @Override
    public String toString() {
        return "ServerConfig[bind=" + bind + ", udpPort=" + udpPort + ", httpPort=" + httpPort + ", dataDir=" + dataDir
                + ", zone=" + zone + ", closingDay=" + closingDay + ", legacyDatagrams=" + legacyDatagrams
                + ", maxFutureSkew=" + maxFutureSkew + ", orphanLimit=" + orphanLimit + ", commitInterval="
                + commitInterval + ", closeGrace=" + closeGrace + ", excessKwh=" + excessKwh + ", excessKw=" + excessKw
                + ", variationKwh=" + variationKwh + ", offlineAfter=" + offlineAfter + ", adminToken="
                + (adminToken == null ? "generated" : "(set)") + ", readAuth=" + readAuth + ", maxRate=" + maxRate
                + ", store=" + store + ", storePassword=" + (storePassword == null ? "none" : "(set)") + ", retention=" + retention + ", maxConnections=" + maxConnections
                + ", idleTimeout=" + idleTimeout + ", httpRate=" + httpRate + ", maxStreamsPerClient="
                + maxStreamsPerClient + ", keyGrace=" + keyGrace + ", tuning=" + tuning + ", cluster=" + cluster + "]";
    }

    /** The documented defaults, with the given data directory; ports as given (0 picks free ones). */
    public static ServerConfig defaults(Path dataDir, int udpPort, int httpPort) {
        return new ServerConfig("0.0.0.0", udpPort, httpPort, dataDir, ZoneId.systemDefault(), 10, true,
                Duration.ofMinutes(5), 10_000, Duration.ofMillis(200), Duration.ofHours(24),
                BigDecimal.valueOf(150), BigDecimal.valueOf(5), BigDecimal.valueOf(100), Duration.ofMinutes(1),
                null, false, 50, null, null, Duration.ofDays(400), 10_000, Duration.ofSeconds(30), 2000, 20, Duration.ofMinutes(10), Tuning.DEFAULTS, Cluster.NONE);
    }

    /** Whether the store is PostgreSQL rather than the embedded SQLite file. */
    public boolean postgresql() {
        return PostgresTarget.names(store);
    }

    /** This configuration with another store setting. */
    public ServerConfig withStore(String newStore) {
        return new ServerConfig(bind, udpPort, httpPort, dataDir, zone, closingDay, legacyDatagrams, maxFutureSkew,
                orphanLimit, commitInterval, closeGrace, excessKwh, excessKw, variationKwh, offlineAfter, adminToken,
                readAuth, maxRate, newStore, storePassword, retention, maxConnections, idleTimeout, httpRate, maxStreamsPerClient, keyGrace,
                tuning, cluster);
    }

    /** This configuration with another tuning. */
    public ServerConfig withTuning(Tuning newTuning) {
        return new ServerConfig(bind, udpPort, httpPort, dataDir, zone, closingDay, legacyDatagrams, maxFutureSkew,
                orphanLimit, commitInterval, closeGrace, excessKwh, excessKw, variationKwh, offlineAfter, adminToken,
                readAuth, maxRate, store, storePassword, retention, maxConnections, idleTimeout, httpRate, maxStreamsPerClient,
                keyGrace, newTuning, cluster);
    }

    /** This configuration as a node of a cluster (with a PostgreSQL store). */
    public ServerConfig withCluster(Cluster newCluster) {
        return new ServerConfig(bind, udpPort, httpPort, dataDir, zone, closingDay, legacyDatagrams, maxFutureSkew,
                orphanLimit, commitInterval, closeGrace, excessKwh, excessKw, variationKwh, offlineAfter, adminToken,
                readAuth, maxRate, store, storePassword, retention, maxConnections, idleTimeout, httpRate, maxStreamsPerClient,
                keyGrace, tuning, newCluster);
    }

    private static void requirePort(String flag, int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(flag + ": " + port + " (expected: a port from 0 to 65535, 0 picks a free one, e.g. " + flag + " 18010)");
        }
    }

    private static void requirePositive(String flag, BigDecimal value) {
        Objects.requireNonNull(value, flag);
        if (value.signum() <= 0) {
            throw new IllegalArgumentException(flag + ": " + value.toPlainString() + " (expected: a number above 0, e.g. " + flag + " 5)");
        }
    }

    private static void requirePositive(String flag, Duration d) {
        Objects.requireNonNull(d, flag);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(flag + ": " + org.gridmeter.protocol.Durations.format(d) + " (expected: a duration above 0, e.g. " + flag + " 30s)");
        }
    }
}
