package org.gridmeter.server.users;

import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;
import org.gridmeter.server.usage.Transactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a user is registered, re-keyed, given a new read token or deleted: each change runs as a
 * transaction of the single writer ({@link Transactions}) against the {@link UserRepository}, and
 * the in-memory {@link UserDirectory} (what ingest and the API read) follows once it committed.
 */
public final class UserRegistry implements UserCommands {

    private static final Logger log = LoggerFactory.getLogger(UserRegistry.class);

    /** The writer's in-memory state of meters, told about users appearing and going (writer thread). */
    public interface Meters {

        /** A user was registered for meter {@code id}: its readings now count. */
        void registered(long id);

        /** Meter {@code id}'s stored data is being deleted: drop everything held in memory for it. */
        void forget(long id);
    }

    private final Transactions transactions;
    private final UserRepository repository;
    private final UserDirectory users;
    private final Meters meters;
    private final LongConsumer orphanReadingsDiscarded;

    /** @param orphanReadingsDiscarded counts the unauthenticated readings a keyed registration deleted */
    public UserRegistry(Transactions transactions, UserRepository repository, UserDirectory users, Meters meters,
            LongConsumer orphanReadingsDiscarded) {
        this.transactions = transactions;
        this.repository = repository;
        this.users = users;
        this.meters = meters;
        this.orphanReadingsDiscarded = orphanReadingsDiscarded;
    }

    /** A registration as committed: the user, and how many unauthenticated orphan readings it discarded. */
    private record Registration(User user, int orphanReadingsDiscarded) {
    }

    /**
     * Registers the user. Readings already kept for its meter id become the user's, unless it
     * registers with a meter key: they were not authenticated with it, so they are deleted (counted).
     */
    @Override
    public CompletableFuture<User> register(User user) {
        return transactions.submit(() -> {
            if (!repository.insert(user)) {
                throw new UserExistsException(user.id());
            }
            int discarded = 0;
            if (user.meterKeyHex() != null) {
                discarded = repository.deleteMeterData(user.id());
                meters.forget(user.id()); // before the checkpoint that commits the deletion saves the states
            }
            return new Registration(user, discarded);
        }, registered -> {
            users.put(registered.user());
            meters.registered(user.id());
            orphanReadingsDiscarded.accept(registered.orphanReadingsDiscarded());
            log.info("event=user_registered id={} keyed={} orphan_readings_discarded={}", user.id(),
                    user.meterKeyHex() != null, registered.orphanReadingsDiscarded());
        }).thenApply(Registration::user);
    }

    @Override
    public CompletableFuture<User> replaceMeterKey(long id, String keyHex, long previousUntilMillis) {
        return transactions.submit(() -> {
            User current = users.get(id);
            if (current == null) {
                return null;
            }
            User updated = current.withMeterKey(keyHex, previousUntilMillis);
            return repository.updateMeterKey(updated) ? updated : null;
        }, updated -> {
            if (updated != null) {
                users.put(updated);
                log.info("event=meter_key_replaced id={} previous_accepted_until_ms={}", id, // never the keys
                        updated.previousKey() == null ? 0 : updated.previousKey().untilMillis());
            }
        });
    }

    @Override
    public CompletableFuture<User> replaceReadToken(long id, String sha256) {
        return transactions.submit(
                () -> repository.updateReadToken(id, sha256) ? users.get(id).withReadToken(sha256) : null,
                updated -> {
                    if (updated != null) {
                        users.put(updated);
                        log.info("event=read_token_replaced id={}", id); // never the token or its hash
                    }
                });
    }

    @Override
    public CompletableFuture<DeletedUser> delete(long id) {
        return transactions.submit(() -> {
            DeletedUser deleted = repository.delete(id);
            if (deleted != null) {
                meters.forget(id); // before the checkpoint that commits the deletion saves the states
            }
            return deleted;
        }, deleted -> {
            if (deleted != null) {
                users.remove(id);
                log.info("event=user_deleted id={} readings={}", id, deleted.readings());
            }
        });
    }
}
