package org.gridmeter.server.store;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.gridmeter.server.alerts.Alert;
import org.gridmeter.server.alerts.AlertRepository;
import org.gridmeter.server.alerts.AlertTexts;
import org.gridmeter.server.alerts.AlertType;

/** The alerts table: the writer's inserts and ends, and reads for both sides. */
public final class AlertSql implements AlertRepository {

    static final String COLUMNS =
            "SELECT id, meter_id, type, rule, start_ms, end_ms, value, baseline, limit_value, \"window\" FROM alerts";

    private final PreparedStatement insert;
    private final PreparedStatement end;
    private final Connection connection;

    AlertSql(Connection connection) throws SQLException {
        this.connection = connection;
        insert = connection.prepareStatement("INSERT INTO alerts (meter_id, type, rule, start_ms, end_ms, value, "
                + "baseline, limit_value, \"window\", message) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS);
        end = connection.prepareStatement("UPDATE alerts SET end_ms = ? WHERE id = ?");
    }

    @Override
    public long insert(Alert a) {
        try {
            insert.setLong(1, a.meterId());
            insert.setString(2, a.type().label());
            insert.setString(3, a.rule());
            insert.setLong(4, a.startMillis());
            insert.setString(5, a.value().toPlainString());
            insert.setString(6, a.baseline() == null ? "" : a.baseline().toPlainString());
            insert.setString(7, a.limit().toPlainString());
            insert.setString(8, a.window());
            insert.setString(9, AlertTexts.message(a, false)); // for people who open the database
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    @Override
    public void end(long id, long endMillis) {
        try {
            end.setLong(1, endMillis);
            end.setLong(2, id);
            end.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    @Override
    public List<Alert> loadActive() {
        try (PreparedStatement ps = connection.prepareStatement(COLUMNS + " WHERE end_ms IS NULL")) {
            return alerts(ps);
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    static List<Alert> alerts(PreparedStatement ps) throws SQLException {
        List<Alert> list = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long endMs = rs.getLong(6);
                if (rs.wasNull()) {
                    endMs = -1;
                }
                String baseline = rs.getString(8);
                list.add(new Alert(rs.getLong(1), rs.getLong(2), AlertType.of(rs.getString(3)), rs.getString(4),
                        rs.getLong(5), endMs, new BigDecimal(rs.getString(7)),
                        baseline.isEmpty() ? null : new BigDecimal(baseline), new BigDecimal(rs.getString(9)),
                        rs.getString(10)));
            }
        }
        return list;
    }
}
