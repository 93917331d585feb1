package org.gridmeter.server.billing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Every tariff ever set, by effective time. Written by the writer thread after a change is
 * committed; read by any thread (the list is replaced whole, never changed in place).
 */
public final class TariffBook {

    private volatile List<Tariff> tariffs;

    public TariffBook(List<Tariff> stored) {
        List<Tariff> all = new ArrayList<>(stored);
        all.add(Tariff.DEFAULT);
        all.sort(Comparator.comparingLong(Tariff::effectiveMillis));
        this.tariffs = List.copyOf(all);
    }

    /** The tariff in force at {@code epochMillis}: the latest effective at or before it. */
    public Tariff at(long epochMillis) {
        Tariff inForce = Tariff.DEFAULT;
        for (Tariff t : tariffs) {
            if (t.effectiveMillis() <= epochMillis) {
                inForce = t;
            }
        }
        return inForce;
    }

    /** Adds a tariff (already stored). A later one with the same effective time wins. */
    public void add(Tariff tariff) {
        List<Tariff> all = new ArrayList<>(tariffs);
        all.add(tariff);
        all.sort(Comparator.comparingLong(Tariff::effectiveMillis)); // stable: the newest of equals stays last
        tariffs = List.copyOf(all);
    }

    /** Every tariff, oldest first, the built-in default included. */
    public List<Tariff> all() {
        return tariffs;
    }
}
