package org.gridmeter.server.users;

import java.util.List;

/**
 * Where users are kept. Called on the writer thread inside its open transaction (so a change is
 * durable only once that commits); failures are unchecked ({@code StoreException}).
 */
public interface UserRepository {

    /** Every user, by id. */
    List<User> loadUsers();

    /** Inserts the user; {@code false} if the id exists. */
    boolean insert(User user);

    /** Sets the user's meter key and the one it replaces; {@code false} if there is no such user. */
    boolean updateMeterKey(User user);

    /** Replaces the user's read token hash; {@code false} if there is no such user. */
    boolean updateReadToken(long id, String sha256);

    /** Deletes the user with everything stored of its meter; {@code null} if there is no such user. */
    DeletedUser delete(long id);

    /**
     * Deletes everything stored of meter {@code id} but the user (readings, state, events, rollups,
     * billing state, invoices, alerts); returns how many readings went.
     */
    int deleteMeterData(long id);
}
