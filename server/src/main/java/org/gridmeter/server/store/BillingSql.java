package org.gridmeter.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.gridmeter.server.billing.Biller;
import org.gridmeter.server.billing.BillingRepository;
import org.gridmeter.server.billing.Invoice;
import org.gridmeter.server.billing.Tariff;
import org.gridmeter.server.billing.TariffJson;
import org.gridmeter.server.usage.Rollups;

/** The writer's SQL for rollups, billing state, invoices and tariffs, on the write connection. */
public final class BillingSql implements BillingRepository, Rollups.Repository {

    private final Connection connection;
    private final PreparedStatement addRollup;
    private final PreparedStatement addSpan;
    private final PreparedStatement saveInvoice;
    private final PreparedStatement saveState;
    private final Batch rollupRows;
    private final Batch stateRows;

    BillingSql(Connection connection) throws SQLException {
        this.connection = connection;
        addRollup = connection.prepareStatement("INSERT INTO rollups (meter_id, bucket_ms, consumption_mwh) "
                + "VALUES (?, ?, ?) ON CONFLICT (meter_id, bucket_ms) DO UPDATE "
                + "SET consumption_mwh = rollups.consumption_mwh + excluded.consumption_mwh");
        addSpan = connection.prepareStatement("INSERT INTO rollup_spans (meter_id, from_ms, to_ms, consumption_mwh) "
                + "VALUES (?, ?, ?, ?) ON CONFLICT (meter_id, from_ms, to_ms) DO UPDATE "
                + "SET consumption_mwh = rollup_spans.consumption_mwh + excluded.consumption_mwh");
        // an invoice closed again (a replay after a crash) replaces the one saved before
        saveInvoice = connection.prepareStatement("INSERT INTO invoices (meter_id, cycle_start_ms, cycle_end_ms, "
                + "month, opening_mwh, consumption_mwh, adjustment_mwh, amount, tariff_json, estimated, closed_ms) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (meter_id, cycle_start_ms) DO UPDATE SET "
                + "cycle_end_ms = excluded.cycle_end_ms, month = excluded.month, opening_mwh = excluded.opening_mwh, "
                + "consumption_mwh = excluded.consumption_mwh, adjustment_mwh = excluded.adjustment_mwh, "
                + "amount = excluded.amount, tariff_json = excluded.tariff_json, estimated = excluded.estimated, "
                + "closed_ms = excluded.closed_ms");
        rollupRows = new Batch(addRollup);
        saveState = connection.prepareStatement(SqlStore.upsert("billing_state", "meter_id", "cycle_start_ms",
                "cycle_mwh", "ahead", "total_mwh", "billed_mwh", "recent_invoices"));
        stateRows = new Batch(saveState);
    }

    @Override
    public void addRollups(Map<Long, Map<Long, Long>> buckets, Map<Long, List<Rollups.Span>> spans) {
        try {
            for (Map.Entry<Long, Map<Long, Long>> meter : new TreeMap<>(buckets).entrySet()) {
                for (Map.Entry<Long, Long> bucket : new TreeMap<>(meter.getValue()).entrySet()) {
                    addRollup.setLong(1, meter.getKey());
                    addRollup.setLong(2, bucket.getKey());
                    addRollup.setLong(3, bucket.getValue());
                    rollupRows.add();
                }
            }
            rollupRows.flush();
            if (spans.isEmpty()) {
                return;
            }
            for (Map.Entry<Long, List<Rollups.Span>> meter : spans.entrySet()) {
                for (Rollups.Span span : meter.getValue()) {
                    addSpan.setLong(1, meter.getKey());
                    addSpan.setLong(2, span.fromMillis());
                    addSpan.setLong(3, span.toMillis());
                    addSpan.setLong(4, span.mwh());
                    addSpan.executeUpdate();
                }
            }
            try (Statement st = connection.createStatement()) {
                st.executeUpdate("DELETE FROM rollup_spans WHERE consumption_mwh = 0"); // taken back whole
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    @Override
    public void saveInvoice(Invoice inv) {
        try {
            int i = 1;
            saveInvoice.setLong(i++, inv.meterId());
            saveInvoice.setLong(i++, inv.cycle().startMillis());
            saveInvoice.setLong(i++, inv.cycle().endMillis());
            saveInvoice.setString(i++, inv.cycle().month().toString());
            saveInvoice.setLong(i++, inv.openingMwh());
            saveInvoice.setLong(i++, inv.consumptionMwh());
            saveInvoice.setLong(i++, inv.adjustmentMwh());
            saveInvoice.setString(i++, inv.amount().toPlainString());
            saveInvoice.setString(i++, TariffJson.toText(inv.tariff()));
            saveInvoice.setInt(i++, inv.estimated() ? 1 : 0);
            saveInvoice.setLong(i, inv.closedMillis());
            saveInvoice.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    @Override
    public void saveStates(List<Biller.Saved> states) {
        try {
            List<Biller.Saved> sorted = new ArrayList<>(states);
            sorted.sort(java.util.Comparator.comparingLong(Biller.Saved::meterId));
            for (Biller.Saved s : sorted) {
                saveState.setLong(1, s.meterId());
                saveState.setLong(2, s.cycleStartMillis());
                saveState.setLong(3, s.cycleMwh());
                StringBuilder ahead = new StringBuilder();
                s.ahead().forEach((start, mwh) -> ahead.append(ahead.length() == 0 ? "" : ",").append(start).append(':')
                        .append(mwh));
                saveState.setString(4, ahead.toString());
                saveState.setLong(5, s.totalMwh());
                saveState.setLong(6, s.billedMwh());
                saveState.setString(7, String.join(",", s.recentInvoicesMwh().stream().map(String::valueOf).toList()));
                stateRows.add();
            }
            stateRows.flush();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    @Override
    public List<Biller.Saved> loadStates() {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT meter_id, "
                + "cycle_start_ms, cycle_mwh, ahead, total_mwh, billed_mwh, recent_invoices FROM billing_state")) {
            List<Biller.Saved> states = new ArrayList<>();
            while (rs.next()) {
                Map<Long, Long> ahead = new TreeMap<>();
                for (String pair : rs.getString(4).split(",")) {
                    if (!pair.isEmpty()) {
                        String[] kv = pair.split(":");
                        ahead.put(Long.parseLong(kv[0]), Long.parseLong(kv[1]));
                    }
                }
                List<Long> recent = new ArrayList<>();
                for (String v : rs.getString(7).split(",")) {
                    if (!v.isEmpty()) {
                        recent.add(Long.parseLong(v));
                    }
                }
                states.add(new Biller.Saved(rs.getLong(1), rs.getLong(2), rs.getLong(3), ahead, rs.getLong(5),
                        rs.getLong(6), recent));
            }
            return states;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    @Override
    public void saveTariff(Tariff tariff, long createdMillis) {
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT INTO tariffs (effective_ms, definition_json, created_ms) VALUES (?, ?, ?)")) {
            ps.setLong(1, tariff.effectiveMillis());
            ps.setString(2, TariffJson.toText(tariff));
            ps.setLong(3, createdMillis);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    @Override
    public List<Tariff> loadTariffs() {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT effective_ms, definition_json FROM tariffs ORDER BY effective_ms, id")) {
            List<Tariff> tariffs = new ArrayList<>();
            while (rs.next()) {
                Tariff t = TariffJson.fromText(rs.getString(2));
                tariffs.add(new Tariff(rs.getLong(1), t.pricePerKwh(), t.blocks(), t.bandeira(), t.flagSurchargePerKwh()));
            }
            return tariffs;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }
}
