package org.gridmeter.server.users;

import java.util.Objects;

/**
 * A registered user; the user id is the meter id.
 *
 * @param meterKeyHex the meter's HMAC key as hex, or {@code null} if its datagrams are not authenticated
 */
public record User(long id, String nome, String endereco, long createdMillis, String meterKeyHex) {

    public User {
        if (id < 1 || id > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("id: " + id + " (expected: 1..4294967295)");
        }
        Objects.requireNonNull(nome, "nome");
        Objects.requireNonNull(endereco, "endereco");
    }
}
