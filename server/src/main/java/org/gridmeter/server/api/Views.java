package org.gridmeter.server.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import org.gridmeter.server.alerts.AlertEvaluator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.gridmeter.server.alerts.Alert;
import org.gridmeter.server.alerts.AlertType;
import org.gridmeter.server.usage.LiveMeters;
import org.gridmeter.server.usage.MeterSnapshot;
import org.gridmeter.server.usage.StoredReading;
import org.gridmeter.server.users.User;

/** The JSON shapes of docs/api.md, with their Portuguese keys, and how they are filled. */
final class Views {

    /** {@code ultima_leitura}. */
    record LastReading(String timestamp, String data, String horario, BigDecimal kwh) {
    }

    /** {@code <user>}. */
    record UserView(
            long id,
            String nome,
            String endereco,
            @JsonProperty("consumo_total_kwh") BigDecimal consumoTotalKwh,
            @JsonProperty("exportacao_total_kwh") BigDecimal exportacaoTotalKwh,
            @JsonProperty("ultima_leitura") LastReading ultimaLeitura,
            @JsonProperty("consumo_excessivo") boolean consumoExcessivo,
            @JsonProperty("grande_variacao") boolean grandeVariacao,
            boolean online) {
    }

    /** {@code <reading>}. */
    record ReadingView(
            String timestamp,
            String data,
            String horario,
            BigDecimal kwh,
            @JsonProperty("consumo_kwh") BigDecimal consumoKwh,
            @JsonProperty("potencia_w") Integer potenciaW,
            @JsonProperty("exportado_kwh") BigDecimal exportadoKwh) {
    }

    private final TimeFormat time;
    private final LiveMeters meters;
    private final AlertEvaluator alerts;
    private final Clock clock;
    private final long offlineAfterMillis;

    Views(TimeFormat time, LiveMeters meters, AlertEvaluator alerts, Clock clock, Duration offlineAfter) {
        this.time = time;
        this.meters = meters;
        this.alerts = alerts;
        this.clock = clock;
        this.offlineAfterMillis = offlineAfter.toMillis();
    }

    /** The JSON of one user as last rendered, and everything it was rendered from. */
    private record Rendered(User user, MeterSnapshot meter, Map<AlertType, Alert> alerts, boolean online, String json) {
    }

    private final ConcurrentHashMap<Long, Rendered> rendered = new ConcurrentHashMap<>();

    /**
     * The user's JSON, rendered again only when something it shows changed (a reading, an alert,
     * going on- or offline, the user itself): a user polled many times a second between readings is
     * answered from the last rendering. Any thread.
     */
    String userJson(User user) {
        MeterSnapshot meter = meters.get(user.id());
        Map<AlertType, Alert> active = alerts.active(user.id());
        boolean online = online(meter);
        Rendered last = rendered.get(user.id());
        if (last != null && last.user() == user && last.meter() == meter && last.alerts() == active
                && last.online() == online) {
            return last.json();
        }
        String json = Json.write(user(user));
        rendered.put(user.id(), new Rendered(user, meter, active, online, json));
        return json;
    }

    UserView user(User user) {
        MeterSnapshot meter = meters.get(user.id());
        LastReading last = meter == null || !meter.hasReading() ? null : new LastReading(
                time.timestamp(meter.lastTimestampMillis()), time.data(meter.lastTimestampMillis()),
                time.horario(meter.lastTimestampMillis()), Json.kwh(meter.lastEnergyMwh()));
        boolean online = online(meter);
        var active = alerts.active(user.id());
        return new UserView(user.id(), user.nome(), user.endereco(), Json.kwh(meter == null ? 0 : meter.totalMwh()),
                Json.kwh(meter == null ? 0 : meter.exportedTotalMwh()), last, active.containsKey(AlertType.EXCESSO), active.containsKey(AlertType.VARIACAO), online);
    }

    /** Whether the meter was heard within its offline limit (the silence alert's rule). */
    boolean online(MeterSnapshot meter) {
        return meter != null && clock.millis() - meter.lastHeardMillis()
                <= AlertEvaluator.offlineLimitMillis(offlineAfterMillis, meter.usualIntervalMillis());
    }

    /** A meter's latest reading for the event stream: when, cumulative, total, power. */
    Map<String, Object> latestReading(MeterSnapshot meter) {
        Map<String, Object> view = new java.util.LinkedHashMap<>();
        view.put("timestamp", time.timestamp(meter.lastTimestampMillis()));
        view.put("kwh", Json.kwh(meter.lastEnergyMwh()));
        view.put("consumo_total_kwh", Json.kwh(meter.totalMwh()));
        view.put("potencia_w", meter.lastPowerW());
        view.put("exportado_kwh", exported(meter.lastExportedMwh()));
        view.put("exportacao_total_kwh", Json.kwh(meter.exportedTotalMwh()));
        return view;
    }

    ReadingView reading(StoredReading r) {
        long ts = r.timestampMillis();
        return new ReadingView(time.timestamp(ts), time.data(ts), time.horario(ts), Json.kwh(r.energyMwh()),
                Json.kwh(r.deltaMwh()), r.powerW(), exported(r.exportedMwh()));
    }

    /** The exported register in kWh, or {@code null} for a meter without one. */
    private static BigDecimal exported(long exportedMwh) {
        return exportedMwh == org.gridmeter.protocol.Reading.NO_EXPORT ? null : Json.kwh(exportedMwh);
    }

    TimeFormat time() {
        return time;
    }
}
