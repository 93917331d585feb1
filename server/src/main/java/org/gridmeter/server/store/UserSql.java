package org.gridmeter.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.gridmeter.server.users.DeletedUser;
import org.gridmeter.server.users.User;
import org.gridmeter.server.users.UserRepository;

/** Users on the write connection (writer thread only), in its open transaction. */
public final class UserSql implements UserRepository {

    private final Connection connection;
    /** Merges the reading log into the readings table: run before a meter's readings are counted or deleted. */
    private final Runnable beforeDelete;

    UserSql(Connection connection, Runnable beforeDelete) {
        this.connection = connection;
        this.beforeDelete = beforeDelete;
    }

    @Override
    public List<User> loadUsers() {
        try {
            return loadUsers(connection);
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Every user, read on {@code connection} (a cluster node's lease keeper keeps its directory current so). */
    public static List<User> loadUsers(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT " + USER_COLUMNS + " FROM users ORDER BY id")) {
            List<User> users = new ArrayList<>();
            while (rs.next()) {
                users.add(user(rs));
            }
            return users;
        }
    }

    private static final String USER_COLUMNS = "id, nome, endereco, created_ms, meter_key_hex, read_token_sha256, "
            + "previous_meter_key_hex, previous_key_until_ms";

    private static User user(ResultSet rs) throws SQLException {
        String previous = rs.getString(7);
        return new User(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5),
                rs.getString(6), previous == null ? null : new User.PreviousKey(previous, rs.getLong(8)));
    }

    /** Sets the user's meter key and the one it replaces (with the time it is accepted until). In the current transaction. */
    @Override
    public boolean updateMeterKey(User user) {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE users SET meter_key_hex = ?, "
                + "previous_meter_key_hex = ?, previous_key_until_ms = ? WHERE id = ?")) {
            ps.setString(1, user.meterKeyHex());
            ps.setString(2, user.previousKey() == null ? null : user.previousKey().keyHex());
            ps.setLong(3, user.previousKey() == null ? 0 : user.previousKey().untilMillis());
            ps.setLong(4, user.id());
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Replaces the user's read token hash; {@code false} if there is no such user. In the current transaction. */
    @Override
    public boolean updateReadToken(long id, String sha256) {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE users SET read_token_sha256 = ? WHERE id = ?")) {
            ps.setString(1, sha256);
            ps.setLong(2, id);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Inserts the user; {@code false} if the id exists. In the current transaction. */
    @Override
    public boolean insert(User user) {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO users (id, nome, endereco, created_ms, "
                + "meter_key_hex, read_token_sha256) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
            ps.setString(6, user.readTokenSha256());
            ps.setLong(1, user.id());
            ps.setString(2, user.nome());
            ps.setString(3, user.endereco());
            ps.setLong(4, user.createdMillis());
            ps.setString(5, user.meterKeyHex());
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Deletes the user with its readings, state and events; {@code null} if no such user. */
    @Override
    public DeletedUser delete(long id) {
        try {
            beforeDelete.run(); // the readings table must hold every reading of the meter
            User user = null;
            for (User u : loadUser(id)) {
                user = u;
            }
            if (user == null) {
                return null;
            }
            DeletedUser deleted;
            try (PreparedStatement ps = connection.prepareStatement("SELECT count(*), min(ts), max(ts), "
                    + "coalesce(sum(delta_mwh), 0) FROM readings WHERE meter_id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    long count = rs.getLong(1);
                    deleted = new DeletedUser(user, count, count == 0 ? -1 : rs.getLong(2), count == 0 ? -1 : rs.getLong(3),
                            rs.getLong(4));
                }
            }
            deleteMeterData(id);
            try (PreparedStatement ps = connection.prepareStatement("DELETE FROM users WHERE id = ?")) {
                ps.setLong(1, id);
                ps.executeUpdate();
            }
            return deleted;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /**
     * Deletes everything stored of meter {@code id} but the user: readings, state, events, rollups,
     * billing state, invoices and alerts, in the current transaction (which must then be a
     * checkpoint). Returns how many readings were deleted.
     */
    @Override
    public int deleteMeterData(long id) {
        try {
            beforeDelete.run(); // the readings table must hold every reading of the meter
            int readings = 0;
            for (String table : List.of("readings", "meter_state", "meter_events", "rollups", "rollup_spans",
                    "billing_state", "invoices", "alerts")) {
                try (PreparedStatement ps = connection.prepareStatement("DELETE FROM " + table + " WHERE meter_id = ?")) {
                    ps.setLong(1, id);
                    int deleted = ps.executeUpdate();
                    readings += table.equals("readings") ? deleted : 0;
                }
            }
            return readings;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    private List<User> loadUser(long id) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT " + USER_COLUMNS + " FROM users WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? List.of(user(rs)) : List.of();
            }
        }
    }
}
