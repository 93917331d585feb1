package org.gridmeter.server.users;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.gridmeter.protocol.KeyLookup;

/**
 * Every registered user, in memory, for lock-free reads from any thread. Changed only by the writer
 * thread, after the change is committed. Also the meters' key lookup for the datagram decoder.
 */
public final class UserDirectory implements KeyLookup {

    private record Entry(User user, byte[] key, byte[] previousKey, long previousUntilMillis) {
    }

    private final ConcurrentHashMap<Long, Entry> users = new ConcurrentHashMap<>();
    private final java.time.Clock clock;

    public UserDirectory(Collection<User> initial) {
        this(initial, java.time.Clock.systemUTC());
    }

    /** @param clock the server clock: a previous meter key is accepted until its time on it */
    public UserDirectory(Collection<User> initial, java.time.Clock clock) {
        this.clock = clock;
        initial.forEach(this::put);
    }

    public void put(User user) {
        byte[] key = user.meterKeyHex() == null ? null : HexFormat.of().parseHex(user.meterKeyHex());
        User.PreviousKey previous = user.previousKey();
        users.put(user.id(), new Entry(user, key, previous == null ? null : HexFormat.of().parseHex(previous.keyHex()),
                previous == null ? 0 : previous.untilMillis()));
    }

    public void remove(long id) {
        users.remove(id);
    }

    /** The user, or {@code null}. */
    public User get(long id) {
        Entry entry = users.get(id);
        return entry == null ? null : entry.user();
    }

    public boolean contains(long id) {
        return users.containsKey(id);
    }

    public int size() {
        return users.size();
    }

    /** Every user's id, unordered: a live view, cheap to walk. */
    public java.util.Set<Long> ids() {
        return java.util.Collections.unmodifiableSet(users.keySet());
    }

    /** Every user, by id. */
    public List<User> all() {
        List<User> all = new ArrayList<>(users.size());
        users.values().forEach(e -> all.add(e.user()));
        all.sort(Comparator.comparingLong(User::id));
        return all;
    }

    @Override
    public byte[] keyFor(long meterId) {
        Entry entry = users.get(meterId);
        return entry == null ? null : entry.key();
    }

    @Override
    public byte[] previousKeyFor(long meterId) {
        Entry entry = users.get(meterId);
        return entry == null || entry.previousKey() == null || clock.millis() >= entry.previousUntilMillis() ? null
                : entry.previousKey();
    }
}
