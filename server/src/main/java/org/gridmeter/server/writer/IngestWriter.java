package org.gridmeter.server.writer;

import java.net.InetSocketAddress;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.gridmeter.protocol.Ack;
import org.gridmeter.protocol.Integrity;
import org.gridmeter.protocol.Reading;
import org.gridmeter.protocol.ReadingBatch;
import org.gridmeter.protocol.Refusal;
import org.gridmeter.protocol.RefusalReason;
import org.gridmeter.protocol.SequenceRange;
import org.gridmeter.server.ServerConfig;
import org.gridmeter.server.cluster.ClusterMember;
import org.gridmeter.server.cluster.FencedException;
import org.gridmeter.server.cluster.LeaseTable;
import org.gridmeter.server.cluster.Ownership;
import org.gridmeter.server.ingest.AckSink;
import org.gridmeter.server.ingest.BatchSink;
import org.gridmeter.server.ingest.MeterNetworks;
import org.gridmeter.server.metrics.ServerMetrics;
import org.gridmeter.server.alerts.AlertEvaluator;
import org.gridmeter.server.billing.Biller;
import org.gridmeter.server.events.EventBus;
import org.gridmeter.server.store.SqlStore;
import org.gridmeter.server.usage.LiveMeters;
import org.gridmeter.server.usage.Rollups;
import org.gridmeter.server.usage.UsageRecorder;
import org.gridmeter.server.usage.RecordOutcome;
import org.gridmeter.server.users.UserDirectory;
import org.gridmeter.server.users.UserRegistry;
import org.gridmeter.server.usage.Transactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer: one thread owns the database's write connection and every meter's state. It
 * takes readings and commands from one bounded queue, applies the usage rules, and commits in
 * groups: at most half the commit interval after the first change of a transaction (so a reading
 * is durable well within {@code --commit-interval}), or after {@code Tuning.maxTransaction} changes.
 * ACKs go out only after the readings they cover are committed. Other changes ({@link Transactions}:
 * users, tariffs) commit at once and complete their future after the commit.
 *
 * <p>A commit writes the new readings to the store's reading log; meters' states, billing states
 * and rollups are saved at checkpoints, once a second (see the store's {@code ReadingLog}). Between
 * commits the writer merges the log into the readings table, a chunk at a time.
 */
public final class IngestWriter implements BatchSink, Transactions, ClusterMember.Moves, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IngestWriter.class);
    private static final int DRAIN = 512;

    /** @param via the cluster node that forwarded the datagram (the reply goes back through it), or {@code null} */
    private record Readings(ReadingBatch batch, InetSocketAddress from, InetSocketAddress via) {
    }

    /**
     * A change made by the writer in a transaction of its own: {@code work} runs in the transaction,
     * {@code applied} after it committed (memory follows the store), then {@code done} completes.
     */
    private record Command<T>(Callable<T> work, Consumer<T> applied, CompletableFuture<T> done) {
    }

    /** Wakes the writer when it is told to stop; carries no work. */
    private static final Object WAKE_UP = new Object();

    /** What a meter is told once the transaction commits: an ACK and/or refusals. */
    private record PendingReply(Ack ack, List<Refusal> refusals, byte[] key, InetSocketAddress to,
            InetSocketAddress via) {
    }

    /** When to commit, checkpoint, tick, run retention and merge: the pure part of the writer. */
    private final WriterSchedule schedule;

    private final SqlStore store;
    private final Ledger ledger;
    private final UserDirectory users;
    private final ServerMetrics metrics;
    /** Ticks whose effects are in the open transaction. */
    private int ticksUncommitted;
    private final BlockingQueue<Object> queue;
    private final List<PendingReply> pendingReplies = new ArrayList<>();
    private final Thread thread;
    private volatile AckSink acks = AckSink.NONE;
    private volatile boolean running = true;
    private int transactionSize;
    /** This node's part in a cluster, or {@code null} for a lone server (docs/scaling.md). */
    private ClusterMember cluster;
    private Ownership ownership = Ownership.ALONE;

    private long retentionMillis = Long.MAX_VALUE;
    private final java.time.Clock clock;
    /** The monotonic ticker that paces the writer (commits, checkpoints, merges, ticks, retention). */
    private final java.util.function.LongSupplier nanoTime;

    /** The components the writer drives; all of them are then its own, used from its thread only. */
    public record Components(SqlStore store, UsageRecorder recorder, Rollups rollups, Biller biller,
            AlertEvaluator alerts, LiveMeters meters, UserDirectory users, EventBus events, MeterNetworks networks) {
    }

    /**
     * @param clock    the server's wall clock (retention, the readings' arrival time)
     * @param nanoTime the monotonic ticker that paces the writer
     */
    public IngestWriter(Components c, ServerMetrics metrics, Duration commitInterval, ServerConfig.Tuning tuning,
            java.time.Clock clock, java.util.function.LongSupplier nanoTime) {
        this(c.store(), new Ledger(c.store(), c.recorder(), c.rollups(), c.biller(), c.alerts(), c.users(),
                new LiveEvents(c.events(), c.meters()), c.networks(), tuning.smallCheckpointMeters()),
                c.users(), metrics, commitInterval, tuning, clock, nanoTime);
    }

    private IngestWriter(SqlStore store, Ledger ledger, UserDirectory users, ServerMetrics metrics,
            Duration commitInterval, ServerConfig.Tuning tuning, java.time.Clock clock,
            java.util.function.LongSupplier nanoTime) {
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.schedule = new WriterSchedule(commitInterval.toNanos(), tuning.checkpointInterval().toNanos(),
                tuning.maxTransaction(), tuning.mergeBacklog(), nanoTime.getAsLong());
        this.store = store;
        this.ledger = ledger;
        this.users = users;
        this.metrics = metrics;
        this.queue = new ArrayBlockingQueue<>(tuning.queueCapacity());
        this.thread = new Thread(this::run, "gridmeter-writer");
        metrics.gauge("gridmeter.store.queue.depth", "Readings and commands waiting for the writer", queue::size);
        metrics.gauge("gridmeter.store.readings.unmerged", "Committed readings not yet merged into the readings table",
                store::readingsWaiting);
    }

    /** Raw readings older than this are deleted (hourly, and on start); rollups and invoices stay. */
    public void retention(java.time.Duration retention) {
        this.retentionMillis = retention.toMillis();
    }

    private void retain() throws SQLException {
        if (retentionMillis == Long.MAX_VALUE || !ownership.holds(0)) { // in a cluster, partition 0's node applies it
            return;
        }
        commit();
        long deleted = ledger.retain(clock.millis() - retentionMillis);
        schedule.commitSoon(nanoTime.getAsLong());
        commit();
        if (deleted > 0) {
            log.info("event=retention_applied readings_deleted={}", deleted);
        }
    }

    /**
     * Makes this the writer of a cluster node: it handles only the meters of the partitions it holds
     * (none until the lease keeper asks it to take some), and every commit passes the fencing check.
     * Before {@link #start}.
     */
    public void cluster(ClusterMember member) {
        this.cluster = member;
        this.ownership = member.ownership();
        ledger.local(ownership::local);
    }

    /** Sends committed events to the other nodes of a cluster as well (docs/scaling.md). Before {@link #start}. */
    public void relayEvents(org.gridmeter.server.cluster.EventRelay relay) {
        ledger.relayEvents(relay);
    }

    /** Sets where ACKs go (the UDP server, once bound). */
    public void ackSink(AckSink sink) {
        this.acks = sink;
    }

    /**
     * Replays the reading log on top of the states saved at the last checkpoint (readings a crash
     * left there), commits a checkpoint, and starts the writer thread.
     */
    public void start() throws SQLException {
        long started = nanoTime.getAsLong();
        int replayed = ledger.replay(store.recoverLog());
        schedule.commitSoon(nanoTime.getAsLong());
        commit();
        if (replayed > 0) {
            log.info("event=reading_log_replayed readings={} millis={}", replayed,
                    (nanoTime.getAsLong() - started) / 1_000_000);
        }
        thread.start();
    }

    /**
     * Queues a decoded datagram; never blocks.
     *
     * @param from its sender: where the ACK goes once stored, if the meter asked for one
     * @return {@code false} if the queue is full (the caller counts the drop)
     */
    @Override
    public boolean offer(ReadingBatch batch, InetSocketAddress from) {
        return offer(batch, from, null);
    }

    @Override
    public boolean offer(ReadingBatch batch, InetSocketAddress from, InetSocketAddress via) {
        return running && queue.offer(new Readings(batch, from, via));
    }

    /**
     * Takes over what is still free of {@code wanted}: the leases (epoch + 1), the previous owners'
     * logs merged, the meters' saved states loaded and those logs replayed on top, in one
     * transaction committed as a checkpoint (docs/scaling.md).
     */
    @Override
    public CompletableFuture<List<Integer>> take(List<Integer> wanted) {
        return submit(() -> {
            List<LeaseTable.Claimed> claimed = store.onWriteConnection(c -> cluster.claim(c, wanted));
            java.util.Map<Long, List<Integer>> byPrevious = new java.util.TreeMap<>();
            List<Integer> taken = new ArrayList<>();
            for (LeaseTable.Claimed c : claimed) {
                byPrevious.computeIfAbsent(c.previous(), k -> new ArrayList<>()).add(c.partition());
                taken.add(c.partition());
            }
            List<org.gridmeter.server.store.LogItem> replay = new ArrayList<>();
            for (var e : byPrevious.entrySet()) {
                replay.addAll(store.adopt(e.getKey(), ClusterMember.in(e.getValue())));
            }
            if (!taken.isEmpty()) {
                int replayed = ledger.adopt(ClusterMember.in(taken), replay);
                store.dropLogsOf(store.onWriteConnection(cluster::unusedLogs));
                log.info("event=partitions_adopted partitions={} from_incarnations={} readings_replayed={}", taken,
                        byPrevious.keySet(), replayed);
            }
            return taken;
        }, taken -> {
        });
    }

    /** Gives partitions up after committing their meters' states (a checkpoint), then forgets those meters. */
    @Override
    public CompletableFuture<List<Integer>> giveUp(List<Integer> partitions) {
        return submit(() -> {
            store.onWriteConnection(c -> {
                cluster.release(c, partitions);
                return null;
            });
            return partitions;
        }, released -> ledger.drop(ClusterMember.in(released)));
    }

    /** Readings and commands waiting. */
    public int queueDepth() {
        return queue.size();
    }

    /** The writer's meters, as user changes must tell them (see {@link UserRegistry}); used on the writer thread. */
    public UserRegistry.Meters meters() {
        return ledger;
    }

    @Override
    public <T> CompletableFuture<T> submit(Callable<T> work, Consumer<T> applied) {
        CompletableFuture<T> done = new CompletableFuture<>();
        if (!running) {
            done.completeExceptionally(new IllegalStateException("the server is stopping"));
            return done;
        }
        try {
            queue.put(new Command<>(work, applied, done));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done.completeExceptionally(e);
        }
        return done;
    }

    private void run() {
        List<Object> drained = new ArrayList<>(DRAIN);
        while (running || !queue.isEmpty()) {
            try {
                long now = nanoTime.getAsLong();
                long wait = schedule.waitNanos(now, mergeMayRun(now)); // 0 while merge work waits: don't sleep
                Object first = wait == 0 ? queue.poll() : queue.poll(wait, TimeUnit.NANOSECONDS);
                if (first != null) {
                    handle(first);
                    queue.drainTo(drained, DRAIN);
                    for (Object task : drained) {
                        handle(task);
                    }
                    drained.clear();
                }
                if (schedule.retentionDue(nanoTime.getAsLong())) {
                    retain();
                }
                schedule.checkpointIfIdle(nanoTime.getAsLong()); // commits (a checkpoint) within the flush delay
                if (schedule.tickDue(nanoTime.getAsLong())) {
                    ledger.tick();
                    ticksUncommitted++;
                }
                if (schedule.commitDue(nanoTime.getAsLong(), transactionSize)) {
                    commit();
                }
                mergeStep();
            } catch (InterruptedException e) {
                running = false;
            } catch (RuntimeException | SQLException e) {
                recover(e);
            }
        }
        try {
            schedule.checkpointAtStop(nanoTime.getAsLong());
            commit(); // !running: a checkpoint, so the next start replays nothing
            if (cluster != null && !ownership.held().isEmpty()) {
                List<Integer> held = ownership.held();
                store.onWriteConnection(c -> {
                    cluster.release(c, held); // the others take them at once, not after the lease timeout
                    return null;
                });
                store.commit();
                log.info("event=partitions_released_at_stop partitions={}", held);
            }
        } catch (SQLException | RuntimeException e) {
            recover(e);
        }
    }

    /**
     * One step of merging the reading log into the readings table, when one is due and the open
     * transaction (if any) has time left for it (twice the last step's time), so its commit stays
     * on time. When more than {@code Tuning.mergeBacklog} committed readings wait, merging goes first:
     * the open transaction commits now and the step runs anyway, so new readings wait in the queue
     * (and overflow it, counted) rather than pile up in memory.
     */
    private void mergeStep() throws SQLException {
        long now = nanoTime.getAsLong();
        if (!mergeMayRun(now)) {
            return;
        }
        if (schedule.commitBeforeMerge(now)) {
            commit(); // the backlog goes first
            now = nanoTime.getAsLong();
        }
        schedule.change(now);
        store.mergeStep();
        long took = nanoTime.getAsLong() - now;
        schedule.merged(took);
        metrics.mergeTime.record(took, TimeUnit.NANOSECONDS);
    }

    private boolean mergeMayRun(long now) {
        return schedule.mergeMayRun(now, store.mergeDue(now), store.readingsWaiting());
    }

    private void handle(Object task) throws SQLException {
        if (task == WAKE_UP) {
            return;
        }
        if (task instanceof Readings r) {
            if (!ownership.local(r.batch().meterId())) {
                metrics.rejected(org.gridmeter.server.ingest.IngestPipeline.NOT_OWNER); // moved while queued
                return;
            }
            schedule.change(nanoTime.getAsLong());
            transactionSize += r.batch().readings().size();
            RecordOutcome outcome = ledger.record(r.batch(), r.from(), clock.millis());
            metrics.readingsStored.add(outcome.stored());
            metrics.readingsDuplicate.add(outcome.duplicates());
            metrics.readingsConflict.add(outcome.conflicts());
            metrics.readingsLate.add(outcome.late());
            metrics.readingsOrphanDropped.add(outcome.orphanDropped());
            metrics.readingsTooOld.add(outcome.tooOld());
            if (r.batch().ackRequested()) {
                PendingReply reply = replyFor(r.batch(), outcome, r.from(), r.via());
                if (reply != null) {
                    pendingReplies.add(reply);
                }
            }
        } else {
            commit(); // a command's own commit must not carry half a group of readings with it
            run((Command<?>) task);
        }
    }

    /**
     * Runs a command in a transaction of its own, committed as a checkpoint (a deletion must not
     * leave readings in the log for a restart to replay), then applies it in memory and answers.
     */
    private <T> void run(Command<T> command) throws SQLException {
        T result;
        try {
            result = command.work().call();
        } catch (Exception e) {
            store.rollback(); // the states in memory are current: nothing to replay
            schedule.commitSoon(nanoTime.getAsLong()); // the rollback merged the log: the next commit is a checkpoint
            command.done().completeExceptionally(e);
            return;
        }
        ledger.checkpointNext();
        schedule.commitSoon(nanoTime.getAsLong());
        try {
            commit();
        } catch (SQLException | RuntimeException e) {
            command.done().completeExceptionally(e);
            throw e;
        }
        command.applied().accept(result);
        command.done().complete(result);
    }

    /**
     * The ACK of exactly the batch's readings that are in the store, and the refusals of those that
     * never will be (PROTOCOL.md 1.5, 1.6); {@code null} if there is nothing to say (every reading
     * was dropped for a reason that may pass, such as the orphan limit).
     */
    private PendingReply replyFor(ReadingBatch batch, RecordOutcome outcome, InetSocketAddress to,
            InetSocketAddress via) {
        List<SequenceRange> stored = sequences(batch, outcome::inStore);
        List<Refusal> refusals = new ArrayList<>(0);
        for (RefusalReason reason : RefusalReason.values()) {
            RecordOutcome.Fate fate = switch (reason) {
                case CONFLICT -> RecordOutcome.Fate.CONFLICT;
                case TOO_OLD -> RecordOutcome.Fate.TOO_OLD;
            };
            List<SequenceRange> refused = sequences(batch, i -> outcome.fate(i) == fate);
            if (!refused.isEmpty()) {
                refusals.add(new Refusal(batch.meterId(), reason, refused));
            }
        }
        if (stored.isEmpty() && refusals.isEmpty()) {
            return null;
        }
        byte[] key = batch.integrity() != Integrity.HMAC ? null
                : batch.previousKey() ? users.previousKeyFor(batch.meterId()) : users.keyFor(batch.meterId());
        return new PendingReply(stored.isEmpty() ? null : new Ack(batch.meterId(), stored), refusals, key, to, via);
    }

    /** The sequence ranges of the batch's readings {@code i} for which {@code which} holds. */
    private static List<SequenceRange> sequences(ReadingBatch batch, java.util.function.IntPredicate which) {
        List<Reading> readings = batch.readings();
        long[] sequences = new long[readings.size()];
        int count = 0;
        for (int i = 0; i < readings.size(); i++) {
            if (which.test(i)) {
                sequences[count++] = readings.get(i).sequence();
            }
        }
        return SequenceRange.covering(sequences, count);
    }

    private void commit() throws SQLException {
        if (!schedule.open()) {
            return;
        }
        long started = nanoTime.getAsLong();
        boolean checkpoint = ledger.beforeCommit(schedule.checkpointDue(started, !running));
        if (cluster != null) {
            store.onWriteConnection(c -> {
                cluster.fence(c);
                return null;
            });
        }
        store.commit();
        ledger.afterCommit();
        long took = nanoTime.getAsLong() - started;
        if (checkpoint) {
            metrics.checkpointTime.record(took, TimeUnit.NANOSECONDS);
        }
        schedule.committed(started, checkpoint);
        metrics.commits.increment();
        metrics.ticks.add(ticksUncommitted);
        ticksUncommitted = 0;
        metrics.readingsCommitted.add(transactionSize);
        metrics.commitTime.record(took, TimeUnit.NANOSECONDS);
        transactionSize = 0;
        AckSink sink = acks;
        for (PendingReply reply : pendingReplies) {
            if (reply.ack() != null) {
                sink.send(reply.ack(), reply.key(), reply.to(), reply.via());
                metrics.acksSent.increment();
            }
            for (Refusal refusal : reply.refusals()) {
                sink.send(refusal, reply.key(), reply.to(), reply.via());
                metrics.refusalsSent.increment();
            }
        }
        pendingReplies.clear();
    }

    /**
     * A storage failure: the open transaction is rolled back, so the readings in it are lost (none
     * was acknowledged, so meters that asked for ACKs resend them); meter and billing states are
     * reloaded from the last checkpoint and the committed log replayed on top. Alert state stays as
     * it was in memory (a restart reloads it); it can run ahead of the store by the lost transaction.
     */
    private void recover(Exception e) {
        if (e instanceof FencedException fenced) {
            log.warn("event=fenced partitions_lost={} readings_not_stored={} detail=\"another node took these "
                    + "partitions over while this one could not renew its leases; their meters are its now\"",
                    fenced.lost(), transactionSize);
        } else {
            log.error("event=store_failure action=rolled_back_open_transaction readings_lost={} "
                + "what_to_do=\"check disk space and permissions of the data directory\"", transactionSize, e);
        }
        pendingReplies.clear();
        schedule.rolledBack();
        transactionSize = 0;
        ticksUncommitted = 0;
        try {
            int replayed = ledger.reload(store.rollback());
            schedule.commitSoon(nanoTime.getAsLong()); // a checkpoint, with what the replay rebuilt
            log.info("event=store_reloaded readings_replayed={}", replayed);
        } catch (SQLException | RuntimeException reloadFailure) {
            log.error("event=store_reload_failed", reloadFailure);
        }
    }

    /**
     * Stops taking work, stores everything queued, commits, and waits for the thread to end: every
     * accepted reading is stored, however long that takes (each datagram's cost is bounded, so it is
     * the queue's length that decides), with a line every few seconds saying what is left.
     */
    @Override
    public void close() throws InterruptedException {
        running = false;
        queue.offer(WAKE_UP); // if the queue is full, the writer is busy and will see running=false soon
        while (true) {
            thread.join(5_000);
            if (!thread.isAlive()) {
                return;
            }
            log.warn("event=writer_draining queued={} what_to_do=\"wait: every accepted reading is being stored "
                    + "before the server stops\"", queue.size());
        }
    }
}
