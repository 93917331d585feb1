package org.gridmeter.server.ingest;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gridmeter.server.alerts.Alert;
import org.gridmeter.server.billing.Invoice;
import org.gridmeter.server.events.Event;
import org.gridmeter.server.events.EventBus;
import org.gridmeter.server.usage.LiveMeters;
import org.gridmeter.server.usage.MeterSnapshot;

/**
 * Gathers what a transaction did that the event stream reports, and publishes it once committed:
 * one {@code leitura} per meter per commit (its latest reading), every {@code alerta} raised or
 * ended, every {@code fatura} closed. Nothing is gathered while nobody listens. Writer thread only.
 */
final class LiveEvents {

    private final EventBus bus;
    private final LiveMeters meters;
    private final ZoneId zone;
    private final Set<Long> readings = new LinkedHashSet<>();
    private final List<Event> pending = new ArrayList<>();

    LiveEvents(EventBus bus, LiveMeters meters, ZoneId zone) {
        this.bus = bus;
        this.meters = meters;
        this.zone = zone;
    }

    void reading(long meterId) {
        if (bus.hasSubscribers()) {
            readings.add(meterId);
        }
    }

    void invoices(List<Invoice> closed) {
        if (!bus.hasSubscribers()) {
            return;
        }
        for (Invoice i : closed) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("id", i.meterId());
            data.put("mes", i.cycle().month().toString());
            data.put("inicio", time(i.cycle().startMillis()));
            data.put("fim", time(i.cycle().endMillis()));
            data.put("consumo", kwh(i.consumptionMwh()));
            data.put("ajuste_kwh", kwh(i.adjustmentMwh()));
            data.put("valor da fatura", i.amount());
            data.put("estimada", i.estimated());
            data.put("status", "fechada");
            pending.add(new Event("fatura", i.meterId(), data));
        }
    }

    void alerts(List<Alert> transitions) {
        if (!bus.hasSubscribers()) {
            return;
        }
        for (Alert a : transitions) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("id", a.meterId());
            data.put("tipo", a.type().label());
            data.put("alerta", a.active());
            data.put("motivo", a.rule());
            data.put("inicio", time(a.startMillis()));
            data.put("fim", a.active() ? null : time(a.endMillis()));
            data.put("valor", a.value());
            data.put("limite", a.baseline());
            data.put("mensagem", a.message());
            pending.add(new Event("alerta", a.meterId(), data));
        }
    }

    /** Publishes what the commit just made durable. */
    void publish() {
        for (long meterId : readings) {
            MeterSnapshot m = meters.get(meterId);
            if (m != null && m.hasReading()) {
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("id", meterId);
                data.put("timestamp", time(m.lastTimestampMillis()));
                data.put("kwh", kwh(m.lastEnergyMwh()));
                data.put("consumo_total_kwh", kwh(m.totalMwh()));
                data.put("potencia_w", m.lastPowerW());
                bus.publish(new Event("leitura", meterId, data));
            }
        }
        readings.clear();
        pending.forEach(bus::publish);
        pending.clear();
    }

    void discard() {
        readings.clear();
        pending.clear();
    }

    private String time(long millis) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(Instant.ofEpochMilli(millis).atZone(zone));
    }

    private static BigDecimal kwh(long mwh) {
        BigDecimal kwh = BigDecimal.valueOf(mwh, 6).stripTrailingZeros();
        return kwh.scale() < 0 ? kwh.setScale(0) : kwh;
    }
}
