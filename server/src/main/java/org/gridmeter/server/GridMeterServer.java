package org.gridmeter.server;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.List;
import org.gridmeter.server.alerts.AlertEvaluator;
import org.gridmeter.server.api.ApiRoutes;
import org.gridmeter.server.billing.Biller;
import org.gridmeter.server.billing.BillingCalendar;
import org.gridmeter.server.billing.TariffBook;
import org.gridmeter.server.cluster.ClusterMember;
import org.gridmeter.server.events.EventBus;
import org.gridmeter.server.usage.ConsumptionListeners;
import org.gridmeter.server.usage.Rollups;
import org.gridmeter.server.http.AdminAuth;
import org.gridmeter.server.http.ReadAuth;
import org.gridmeter.server.http.HttpApiServer;
import org.gridmeter.server.ingest.DatagramLog;
import org.gridmeter.server.ingest.IngestPipeline;
import org.gridmeter.server.writer.IngestWriter;
import org.gridmeter.server.users.UserRegistry;
import org.gridmeter.server.billing.TariffRegistry;
import org.gridmeter.server.ingest.MeterNetworks;
import org.gridmeter.server.ingest.UdpIngestServer;
import org.gridmeter.server.metrics.ServerMetrics;
import org.gridmeter.server.net.KernelUdpDrops;
import org.gridmeter.server.net.Transport;
import org.gridmeter.server.store.ReadingQueries;
import org.gridmeter.server.store.Database;
import org.gridmeter.server.store.PostgresDatabase;
import org.gridmeter.server.store.PostgresTarget;
import org.gridmeter.server.store.SqlStore;
import org.gridmeter.server.store.SqliteDatabase;
import org.gridmeter.server.usage.LiveMeters;
import org.gridmeter.server.usage.MeterState;
import org.gridmeter.server.usage.UsageRecorder;
import org.gridmeter.server.users.UserDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole server: store, writer, UDP ingest and HTTP API, wired from one {@link ServerConfig}.
 * {@link #start} returns once both ports are bound; {@link #close} stops taking datagrams and
 * requests, stores and commits everything queued, and closes the database.
 */
public final class GridMeterServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GridMeterServer.class);
    /** Datagrams the writer queue holds: about half a second at 200,000 datagrams/s. */
    private static final int QUERY_THREADS = 4;

    private final SqlStore store;
    private final ReadingQueries queries;
    private final IngestWriter writer;
    private final UdpIngestServer udp;
    private final HttpApiServer http;
    private final ExecutorService blocking;
    private final ServerMetrics metrics;
    private final String adminToken;
    private final Biller biller;
    private final AlertEvaluator alerts;
    /** This node's part in a cluster, or {@code null} for a lone server. */
    private final ClusterMember cluster;
    /** Carries events between cluster nodes, or {@code null}. */
    private final org.gridmeter.server.cluster.EventRelay relay;
    private InetSocketAddress udpAddress;
    /** Set once the UDP port is bound; read by the fleet summary. */
    private volatile KernelUdpDrops kernelDrops;
    private InetSocketAddress httpAddress;
    private boolean closed;

    private GridMeterServer(ServerConfig config, Clock clock, java.util.function.LongSupplier nanoTime) throws Exception {
        long started = System.nanoTime();
        Path dataDir = usableDataDir(config.dataDir());
        adminToken = AdminToken.resolve(config.adminToken(), dataDir);
        metrics = new ServerMetrics(IngestPipeline.allReasons());
        ServerConfig.Cluster clustering = config.cluster();
        Database database = config.postgresql()
                ? new PostgresDatabase(PostgresTarget.parse(config.store()), config.storePassword(), QUERY_THREADS,
                        clustering.enabled())
                : SqliteDatabase.open(dataDir, QUERY_THREADS);
        String nodeHost = clustering.enabled() ? nodeHost(clustering, config.bind()) : null;
        try {
            if (clustering.enabled()) {
                ((PostgresDatabase) database).prepareSchema();
                cluster = new ClusterMember(clustering.nodeId(), clustering.leaseTimeout(), nodeHost,
                        (PostgresDatabase) database, clock);
            } else {
                cluster = null;
            }
            store = SqlStore.open(database, config.tuning().mergeAfter(), config.tuning().mergeChunk(),
                    config.tuning().mergeAt(), cluster == null ? 0 : cluster.incarnation(), nanoTime);
        } catch (org.gridmeter.server.store.StoreInUseException e) {
            throw new StartupException(e.getMessage(), e);
        } catch (java.sql.SQLException e) {
            throw new StartupException("the store (" + database.describe() + ") cannot be opened: " + e.getMessage()
                    + (config.postgresql() ? ". Check that PostgreSQL runs there, that the database exists "
                    + "(createdb), and the password (GRIDMETER_STORE_PASSWORD or PGPASSWORD)" : ""), e);
        }
        log.info("event=store_opened store=\"{}\"", database.describe());
        UserDirectory users = new UserDirectory(store.users().loadUsers(), clock);
        boolean alone = cluster == null; // a cluster node holds no meter until its lease keeper takes partitions
        LiveMeters meters = new LiveMeters();
        TariffBook tariffs = new TariffBook(store.billing().loadTariffs());
        biller = new Biller(new BillingCalendar(config.zone(), config.closingDay()), tariffs, store.billing(), clock,
                config.closeGrace(), alone ? store.billing().loadStates() : List.of());
        alerts = new AlertEvaluator(store.alerts(), new AlertEvaluator.Thresholds(config.excessKwh(), config.excessKw(),
                config.variationKwh(), config.offlineAfter()), clock, alone ? store.alerts().loadActive() : List.of());
        Rollups rollups = new Rollups();
        UsageRecorder recorder = new UsageRecorder(store, new ConsumptionListeners(List.of(rollups, biller, alerts)),
                meters, users::contains, clock, config.orphanLimit(), config.retention(),
                alone ? store.loadStates().stream().map(MeterState::restore).toList() : List.of());
        log.info("event=state_loaded users={} meters={} readings={} millis={}", users.size(), meters.size(),
                meters.totalReadings(), (System.nanoTime() - started) / 1_000_000);
        EventBus events = new EventBus();
        MeterNetworks networks = new MeterNetworks();
        writer = new IngestWriter(new IngestWriter.Components(store, recorder, rollups, biller, alerts, meters, users,
                events, networks),
                metrics, config.commitInterval(), config.tuning(), clock, nanoTime);
        UserRegistry userRegistry = new UserRegistry(writer, store.users(), users, writer.meters(),
                metrics.readingsOrphanDiscarded::add);
        TariffRegistry tariffRegistry = new TariffRegistry(writer, store.billing(), tariffs, clock);
        queries = new ReadingQueries(store.database());
        blocking = new ThreadPoolExecutor(QUERY_THREADS, QUERY_THREADS, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(10_000), r -> {
                    Thread t = new Thread(r, "gridmeter-query");
                    t.setDaemon(true);
                    return t;
                });
        metrics.gauge("gridmeter.users", "Registered users", users::size);
        metrics.gauge("gridmeter.meters", "Meters heard (registered or not)", meters::size);
        DatagramLog datagrams = new DatagramLog();
        Transport transport = Transport.best();
        udp = new UdpIngestServer(transport);
        http = new HttpApiServer(transport, ApiRoutes.build(new ApiRoutes.Dependencies(users, userRegistry, meters,
                queries, biller, alerts, tariffRegistry, events, metrics, writer::queueDepth, config.offlineAfter(), config.retention(),
                clock, datagrams, config.legacyDatagrams(), () -> kernelDrops == null ? 0 : kernelDrops.count(),
                nanoTime, networks, config.keyGrace(), cluster)),
                new ReadAuth(new AdminAuth(adminToken), config.readAuth(), id -> {
                    org.gridmeter.server.users.User user = users.get(id);
                    return user == null ? null : user.readTokenSha256();
                }), blocking, metrics, config.maxConnections(), config.idleTimeout(), config.httpRate(),
                config.maxStreamsPerClient(), nanoTime);
        writer.retention(config.retention());
        if (cluster != null) {
            writer.cluster(cluster);
            PostgresDatabase pg = (PostgresDatabase) database;
            relay = new org.gridmeter.server.cluster.EventRelay(config.cluster().nodeId(), events, cluster::othersListen,
                    () -> pg.openSide("gridmeter-event-relay"));
            writer.relayEvents(relay);
            cluster.streams(events::subscribers);
        } else {
            relay = null;
        }
        writer.start();
        IngestPipeline pipeline = new IngestPipeline(users, config.legacyDatagrams(), config.maxFutureSkew(),
                config.maxRate(), writer, metrics, clock, nanoTime, datagrams);
        if (cluster != null) {
            pipeline.cluster(cluster.ownership(), cluster.envelope(), udp::sendRaw);
            udp.relayWith(cluster.envelope());
        }
        try {
            udpAddress = bound(() -> udp.start(config.bind(), config.udpPort(), pipeline, writer::ackSink), "UDP",
                    config.bind(), config.udpPort(), "--udp-port 18010");
            KernelUdpDrops drops = KernelUdpDrops.forPort(udpAddress.getPort());
            kernelDrops = drops;
            metrics.counter("gridmeter.datagrams.dropped.kernel", "Datagrams the kernel dropped before the server "
                    + "read them: the socket's receive buffer was full (Linux only)", drops::count);
            httpAddress = bound(() -> http.start(config.bind(), config.httpPort()), "TCP (HTTP)", config.bind(),
                    config.httpPort(), "--http-port 15010");
            if (cluster != null) {
                ClusterMember member = cluster;
                cluster.start(nodeHost, udpAddress.getPort(), httpAddress.getPort(), writer,
                        c -> refreshOthers(users, org.gridmeter.server.store.UserSql.loadUsers(c), member));
            }
        } catch (Exception e) {
            close();
            throw e;
        }
        log.info("event=started udp_port={} http_port={} data_dir={} startup_millis={}", udpAddress.getPort(),
                httpAddress.getPort(), config.dataDir().toAbsolutePath().normalize(),
                (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * A cluster node's directory of the users other nodes handle, made what the database says (their
     * owners register, change and delete them); its own users it changes itself as it commits.
     */
    private static void refreshOthers(UserDirectory users, List<org.gridmeter.server.users.User> stored,
            ClusterMember member) {
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (org.gridmeter.server.users.User u : stored) {
            seen.add(u.id());
            if (!member.ownership().local(u.id()) && !u.equals(users.get(u.id()))) {
                users.put(u);
            }
        }
        for (long id : users.ids()) {
            if (!seen.contains(id) && !member.ownership().local(id)) {
                users.remove(id);
            }
        }
    }

    /** Where the other nodes reach this one: {@code --node-address}, else the bind address, else this host's. */
    private static String nodeHost(ServerConfig.Cluster clustering, String bind) throws StartupException {
        if (clustering.address() != null) {
            return clustering.address();
        }
        if (!bind.equals("0.0.0.0") && !bind.equals("::")) {
            return bind;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new StartupException("this host's address is unknown (" + e.getMessage() + "): pass --node-address "
                    + "with the address the other nodes reach this one at, e.g. --node-address 10.0.0.5", e);
        }
    }

    /** Why a server could not start, in the operator's terms: what failed and what to do about it. */
    public static final class StartupException extends Exception {
        private static final long serialVersionUID = 1L;

        StartupException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The data directory, created if needed; a {@link StartupException} naming the problem if it cannot be used. */
    private static Path usableDataDir(Path dir) throws StartupException {
        String fix = ": pass --data-dir with a directory this user can write, e.g. --data-dir ./data";
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            String reason = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.FileAlreadyExistsException ? "a file of that name is in the way"
                    : e instanceof java.nio.file.NoSuchFileException ? "the system says no such file or directory"
                    : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                    : e.getMessage();
            throw new StartupException("the data directory " + dir + " cannot be created (" + reason + ")" + fix, e);
        }
        if (!Files.isWritable(dir)) {
            throw new StartupException("the data directory " + dir + " is not writable" + fix, null);
        }
        return dir;
    }

    private interface Binding {
        InetSocketAddress bind() throws Exception;
    }

    /** Binds a port; a failure names the port and how to choose another. */
    private static InetSocketAddress bound(Binding binding, String protocol, String address, int port, String example)
            throws StartupException {
        try {
            return binding.bind();
        } catch (Exception e) {
            throw new StartupException(protocol + " port " + port + " on " + address + " cannot be bound (" + e.getMessage()
                    + "): another GridMeter server may be using it; stop it, or choose another port, e.g. " + example
                    + " (0 picks a free one)", e);
        }
    }

    /** Starts a server; returns once its ports are bound. */
    public static GridMeterServer start(ServerConfig config, Clock clock) throws Exception {
        return start(config, clock, System::nanoTime);
    }

    /**
     * Starts a server with {@code clock} as its wall clock (every date and "now" it uses) and
     * {@code nanoTime} as the monotonic ticker that paces its writer; returns once its ports are bound.
     */
    public static GridMeterServer start(ServerConfig config, Clock clock, java.util.function.LongSupplier nanoTime)
            throws Exception {
        return new GridMeterServer(config, clock, nanoTime);
    }

    public InetSocketAddress udpAddress() {
        return udpAddress;
    }

    public InetSocketAddress httpAddress() {
        return httpAddress;
    }

    public String adminToken() {
        return adminToken;
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long started = System.nanoTime();
        udp.close();
        http.close();
        blocking.shutdown();
        try {
            writer.close();
            blocking.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (relay != null) {
            relay.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        queries.close();
        try {
            store.close();
        } catch (java.sql.SQLException e) {
            log.error("event=store_close_failed", e);
        }
        log.info("event=stopped millis={} readings_stored={}", (System.nanoTime() - started) / 1_000_000,
                metrics.readingsStored.sum());
    }
}
