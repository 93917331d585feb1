package org.gridmeter.server.usage;

import java.util.List;

/** Tells several listeners, in order. */
public final class ConsumptionListeners implements ConsumptionListener {

    private final List<ConsumptionListener> listeners;

    public ConsumptionListeners(List<ConsumptionListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    @Override
    public void consumed(long meterId, long fromMillis, long toMillis, long deltaMwh) {
        for (ConsumptionListener l : listeners) {
            l.consumed(meterId, fromMillis, toMillis, deltaMwh);
        }
    }
}
