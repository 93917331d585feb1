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

    /** Where events go for other cluster nodes, or {@code null}. */
    private org.gridmeter.server.cluster.EventRelay relay;

    void relayTo(org.gridmeter.server.cluster.EventRelay to) {
        this.relay = to;
    }

    /** Whether anyone reads events: a stream on this node, or (in a cluster) on another. */
    private boolean wanted() {
        return bus.hasSubscribers() || relay != null && relay.wanted();
    }

    void reading(long meterId) {
        if (wanted()) {
            readings.add(meterId);
        }
    }

    void invoices(List<Invoice> closed) {
        if (wanted()) {
            closed.forEach(i -> pending.add(new Event.InvoiceEvent(i)));
        }
    }

    void alerts(List<Alert> transitions) {
        if (wanted()) {
            transitions.forEach(a -> pending.add(new Event.AlertEvent(a)));
        }
    }

    /** Publishes what the commit just made durable. */
    void publish() {
        List<Event> committed = new ArrayList<>(readings.size() + pending.size());
        for (long meterId : readings) {
            MeterSnapshot m = meters.get(meterId);
            if (m != null && m.hasReading()) {
                committed.add(new Event.ReadingEvent(m));
            }
        }
        committed.addAll(pending);
        readings.clear();
        pending.clear();
        committed.forEach(bus::publish);
        if (relay != null && relay.wanted()) {
            relay.send(committed);
        }
    }

    void discard() {
        readings.clear();
        pending.clear();
    }
}
