package org.gridmeter.server.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.gridmeter.server.usage.Transactions;
import org.junit.jupiter.api.Test;

/** The registry's rules, with a writer that runs each transaction at once and a repository in memory. */
class UserRegistryTest {

    private static final String KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    /** Runs the work, then (if it succeeded) what follows the commit, on the calling thread. */
    private static final Transactions AT_ONCE = new Transactions() {
        @Override
        public <T> CompletableFuture<T> submit(java.util.concurrent.Callable<T> work,
                java.util.function.Consumer<T> applied) {
            try {
                T result = work.call();
                applied.accept(result);
                return CompletableFuture.completedFuture(result);
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
        }
    };

    private final Map<Long, User> stored = new HashMap<>();
    private final Map<Long, Integer> storedReadings = new HashMap<>();
    private final List<String> meterEvents = new ArrayList<>();
    private final AtomicLong discarded = new AtomicLong();
    private final UserDirectory directory = new UserDirectory(List.of());
    private final UserRegistry registry = new UserRegistry(AT_ONCE, new InMemoryUsers(), directory,
            new UserRegistry.Meters() {
                @Override
                public void registered(long id) {
                    meterEvents.add("registered " + id);
                }

                @Override
                public void forget(long id) {
                    meterEvents.add("forget " + id);
                }
            }, discarded::addAndGet);

    @Test
    void aKeyedRegistrationDiscardsTheUnauthenticatedReadingsKeptForItsMeterAndCountsThem() throws Exception {
        storedReadings.put(7L, 3);

        registry.register(new User(7, "Ana", "Rua 1", 0, KEY)).get();

        assertThat(storedReadings).doesNotContainKey(7L);
        assertThat(discarded).hasValue(3);
        assertThat(meterEvents).containsExactly("forget 7", "registered 7");
        assertThat(directory.get(7).meterKeyHex()).isEqualTo(KEY);
    }

    @Test
    void aRegistrationWithoutKeyAdoptsTheReadingsKeptForItsMeter() throws Exception {
        storedReadings.put(8L, 2);

        registry.register(new User(8, "Bia", "Rua 2", 0, null)).get();

        assertThat(storedReadings).containsEntry(8L, 2);
        assertThat(discarded).hasValue(0);
        assertThat(meterEvents).containsExactly("registered 8");
    }

    @Test
    void aTakenIdFailsAndLeavesTheDirectoryAsItWas() throws Exception {
        registry.register(new User(9, "Caio", "Rua 3", 0, null)).get();

        assertThatThrownBy(() -> registry.register(new User(9, "Outro", "Rua 4", 0, null)).get())
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(UserCommands.UserExistsException.class);
        assertThat(directory.get(9).nome()).isEqualTo("Caio");
        assertThat(meterEvents).containsExactly("registered 9");
    }

    @Test
    void deletingForgetsTheMeterAndRemovesTheUserOnlyIfItExisted() throws Exception {
        registry.register(new User(10, "Dani", "Rua 5", 0, null)).get();

        assertThat(registry.delete(11).get()).isNull();
        assertThat(registry.delete(10).get().user().id()).isEqualTo(10);

        assertThat(directory.contains(10)).isFalse();
        assertThat(meterEvents).containsExactly("registered 10", "forget 10");
    }

    @Test
    void aNewReadTokenOrMeterKeyReachesTheDirectoryOnlyForAUserThatExists() throws Exception {
        registry.register(new User(12, "Eva", "Rua 6", 0, null)).get();

        assertThat(registry.replaceReadToken(13, "ab".repeat(32)).get()).isNull();
        assertThat(registry.replaceReadToken(12, "ab".repeat(32)).get().readTokenSha256()).isEqualTo("ab".repeat(32));
        assertThat(registry.replaceMeterKey(12, KEY, 5_000).get().meterKeyHex()).isEqualTo(KEY);

        assertThat(directory.get(12).readTokenSha256()).isEqualTo("ab".repeat(32));
        assertThat(stored.get(12L).meterKeyHex()).isEqualTo(KEY);
        assertThat(directory.contains(13)).isFalse();
    }

    private final class InMemoryUsers implements UserRepository {
        @Override
        public List<User> loadUsers() {
            return List.copyOf(stored.values());
        }

        @Override
        public boolean insert(User user) {
            return stored.putIfAbsent(user.id(), user) == null;
        }

        @Override
        public boolean updateMeterKey(User user) {
            return stored.replace(user.id(), user) != null;
        }

        @Override
        public boolean updateReadToken(long id, String sha256) {
            return stored.computeIfPresent(id, (k, u) -> u.withReadToken(sha256)) != null;
        }

        @Override
        public DeletedUser delete(long id) {
            User user = stored.remove(id);
            return user == null ? null : new DeletedUser(user, deleteMeterData(id), -1, -1, 0);
        }

        @Override
        public int deleteMeterData(long id) {
            Integer readings = storedReadings.remove(id);
            return readings == null ? 0 : readings;
        }
    }
}
