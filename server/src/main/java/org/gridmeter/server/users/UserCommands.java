package org.gridmeter.server.users;

import java.util.concurrent.CompletableFuture;

/**
 * The changes to users, carried out by the single writer and completed only once committed.
 * Callable from any thread; never blocks the caller.
 */
public interface UserCommands {

    /** Registers the user; completes with {@link UserExistsException} if the id is taken. */
    CompletableFuture<User> register(User user);

    /**
     * Replaces the user's read token (the old one stops working once committed); completes with the
     * user as it is now, or {@code null} if there is no such user.
     */
    CompletableFuture<User> replaceReadToken(long id, String sha256);

    /**
     * Gives the user's meter a new key, the old one accepted until {@code previousUntilMillis};
     * completes with the user as it is now, or {@code null} if there is no such user.
     */
    CompletableFuture<User> replaceMeterKey(long id, String keyHex, long previousUntilMillis);

    /** Deletes the user and its readings; completes with {@code null} if there was no such user. */
    CompletableFuture<DeletedUser> delete(long id);

    /** The id is registered already. */
    final class UserExistsException extends RuntimeException {
        public UserExistsException(long id) {
            super("user " + id + " exists already");
        }
    }
}
