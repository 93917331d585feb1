package org.gridmeter.server.writer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.gridmeter.server.alerts.Alert;
import org.gridmeter.server.billing.Invoice;
import org.gridmeter.server.events.Event;
import org.gridmeter.server.events.EventBus;
import org.gridmeter.server.usage.LiveMeters;
import org.gridmeter.server.usage.MeterSnapshot;

/**
 * Gathers what a transaction did that the event stream reports, and publishes it once committed:
 * one reading per meter per commit (its latest), every alert raised or ended, every invoice closed.
 * Nothing is gathered while nobody listens. Writer thread only.
 */
final class LiveEvents {

    private final EventBus bus;
    private final LiveMeters meters;
    private final Set<Long> readings = new LinkedHashSet<>();
    private final List<Event> pending = new ArrayList<>();

    LiveEvents(EventBus bus, LiveMeters meters) {
        this.bus = bus;
        this.meters = meters;
    }

    void reading(long meterId) {
        if (bus.hasSubscribers()) {
            readings.add(meterId);
        }
    }

    void invoices(List<Invoice> closed) {
        if (bus.hasSubscribers()) {
            closed.forEach(i -> pending.add(new Event.InvoiceEvent(i)));
        }
    }

    void alerts(List<Alert> transitions) {
        if (bus.hasSubscribers()) {
            transitions.forEach(a -> pending.add(new Event.AlertEvent(a)));
        }
    }

    /** Publishes what the commit just made durable. */
    void publish() {
        for (long meterId : readings) {
            MeterSnapshot m = meters.get(meterId);
            if (m != null && m.hasReading()) {
                bus.publish(new Event.ReadingEvent(m));
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
}
