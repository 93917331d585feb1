package org.gridmeter.server.users;

import java.util.Objects;

/**
 * A registered user; the user id is the meter id.
 *
 * @param meterKeyHex      the meter's HMAC key as hex, or {@code null} if its datagrams are not authenticated
 * @param readTokenSha256  the SHA-256 (hex) of the user's read token ({@code --read-auth}), or {@code null} if
 *                         none was issued; the token itself is never kept
 * @param previousKey      the meter key before {@code meterKeyHex}, still accepted until its time, or {@code null}
 */
public record User(long id, String nome, String endereco, long createdMillis, String meterKeyHex,
        String readTokenSha256, PreviousKey previousKey) {

    /** A meter key replaced by a new one, accepted until {@code untilMillis} (server clock) so the meter can be switched. */
    public record PreviousKey(String keyHex, long untilMillis) {
    }

    /** A user without a read token. */
    public User(long id, String nome, String endereco, long createdMillis, String meterKeyHex) {
        this(id, nome, endereco, createdMillis, meterKeyHex, null, null);
    }

    /** A user with a read token and no previous key. */
    public User(long id, String nome, String endereco, long createdMillis, String meterKeyHex, String readTokenSha256) {
        this(id, nome, endereco, createdMillis, meterKeyHex, readTokenSha256, null);
    }

    /** This user with another read token's hash. */
    public User withReadToken(String sha256) {
        return new User(id, nome, endereco, createdMillis, meterKeyHex, sha256, previousKey);
    }

    /** This user with a new meter key, the current one (if any) accepted until {@code previousUntilMillis}. */
    public User withMeterKey(String keyHex, long previousUntilMillis) {
        return new User(id, nome, endereco, createdMillis, keyHex, readTokenSha256,
                meterKeyHex == null ? null : new PreviousKey(meterKeyHex, previousUntilMillis));
    }

    /** Never the keys or the token's hash: a user may end up in a log line. */
    @Override
    public String toString() {
        return "User[id=" + id + ", nome=" + nome + ", keyed=" + (meterKeyHex != null) + "]";
    }

    public User {
        if (id < 1 || id > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("id: " + id + " (expected: 1..4294967295)");
        }
        Objects.requireNonNull(nome, "nome");
        Objects.requireNonNull(endereco, "endereco");
    }
}
