package org.gridmeter.server.billing;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongUnaryOperator;
import org.gridmeter.server.usage.ConsumptionListener;
import org.gridmeter.server.usage.Spread;

/**
 * Closes invoices (docs/api.md, "Billing, in plain words"). Follows every consumption decision to know each meter's
 * open-cycle consumption; closes a cycle when the first reading at or after its end arrives (event
 * time), or, for a meter silent for {@code --close-grace} past the end, with what is known
 * ({@code estimada}). Consumption learnt later for a closed cycle is carried into the next invoice
 * as its adjustment, so a closed invoice never changes and nothing is billed twice or lost.
 * Writer thread only, except {@link #openInvoice} and {@link #recentInvoices}, safe from any thread.
 */
public final class Biller implements ConsumptionListener {

    /** How many closed invoices' consumption the alert rules compare with. */
    public static final int RECENT = 12;
    /** Invoices of one meter closed at a time (by one reading, or by one pass for silent meters). */
    static final int CLOSES_AT_ONCE = 12;

    /** A meter's billing state; persisted so a restart resumes it. */
    public static final class CycleState {
        final long meterId;
        BillingCalendar.Cycle cycle;
        long cycleMwh;
        /** Consumption already known for cycles after the open one, by cycle start. */
        final TreeMap<Long, Long> ahead = new TreeMap<>();
        long totalMwh;
        long billedMwh;
        final ArrayDeque<Long> recent = new ArrayDeque<>();
        /** An immutable copy of {@link #recent} for readers, or {@code null} once it changed. */
        List<Long> recentView;
        /** Changed since the last checkpoint that saved it. */
        boolean dirty;
        /** Changed in the open transaction: readers see it once committed. */
        boolean unpublished;

        CycleState(long meterId, BillingCalendar.Cycle cycle) {
            this.meterId = meterId;
            this.cycle = cycle;
        }
    }

    /** The persistent form of {@link CycleState}. */
    public record Saved(long meterId, long cycleStartMillis, long cycleMwh, Map<Long, Long> ahead, long totalMwh,
            long billedMwh, List<Long> recentInvoicesMwh) {
    }

    /** What readers see of a meter's open cycle. */
    public record OpenCycle(BillingCalendar.Cycle cycle, long openingMwh, long cycleMwh, long pendingAdjustmentMwh,
            List<Long> recentInvoicesMwh) {
    }

    private final BillingCalendar calendar;
    private final TariffBook tariffs;
    private final InvoiceRepository repository;
    private final Clock clock;
    private final long graceMillis;
    private final Map<Long, CycleState> states = new HashMap<>();
    private final Map<Long, OpenCycle> published = new ConcurrentHashMap<>();
    private final List<CycleState> dirty = new ArrayList<>();
    private final List<CycleState> unpublished = new ArrayList<>();
    private final List<Long> forgotten = new ArrayList<>();
    /** Meters with cycles left to close, and the reading time to close them up to. */
    private final Map<Long, Long> behind = new HashMap<>();

    public Biller(BillingCalendar calendar, TariffBook tariffs, InvoiceRepository repository, Clock clock,
            Duration closeGrace, Collection<Saved> restored) {
        this.calendar = calendar;
        this.tariffs = tariffs;
        this.repository = repository;
        this.clock = clock;
        this.graceMillis = closeGrace.toMillis();
        restore(restored);
    }

    /** Replaces every meter's state with {@code restored} (at start, or after a rolled-back transaction). */
    public void restore(Collection<Saved> restored) {
        states.clear();
        published.clear();
        dirty.clear();
        unpublished.clear();
        forgotten.clear();
        behind.clear();
        adopt(restored);
    }

    /** Adds the billing states of meters taken over from another cluster node (docs/scaling.md). */
    public void adopt(Collection<Saved> restored) {
        for (Saved s : restored) {
            forgotten.remove(s.meterId());
            CycleState st = new CycleState(s.meterId(), calendar.cycleOf(s.cycleStartMillis()));
            st.cycleMwh = s.cycleMwh();
            st.ahead.putAll(s.ahead());
            st.totalMwh = s.totalMwh();
            st.billedMwh = s.billedMwh();
            st.recent.addAll(s.recentInvoicesMwh());
            states.put(s.meterId(), st);
            publish(st);
        }
    }

    public BillingCalendar calendar() {
        return calendar;
    }

    public TariffBook tariffs() {
        return tariffs;
    }

    @Override
    public void consumed(long meterId, long fromMillis, long toMillis, long deltaMwh) {
        CycleState st = state(meterId, Math.min(fromMillis, toMillis));
        st.totalMwh += deltaMwh;
        st.cycleMwh += Spread.portion(deltaMwh, fromMillis, toMillis, st.cycle.startMillis(), st.cycle.endMillis());
        if (toMillis >= st.cycle.endMillis()) {
            BillingCalendar.Cycle c = calendar.next(st.cycle);
            while (c.startMillis() <= toMillis) {
                long part = Spread.portion(deltaMwh, fromMillis, toMillis, c.startMillis(), c.endMillis());
                if (part != 0) {
                    st.ahead.merge(c.startMillis(), part, Long::sum);
                }
                c = calendar.next(c);
            }
        }
        markDirty(st);
    }

    /**
     * A reading of {@code meterId} at {@code timestampMillis} was recorded: closes the cycles that
     * ended at or before it, at most {@value #CLOSES_AT_ONCE} (a reading after years of silence leaves
     * the rest to {@link #catchUp}, so no one reading holds the writer up). Returns the invoices closed.
     */
    public List<Invoice> readingAt(long meterId, long timestampMillis) {
        CycleState st = state(meterId, timestampMillis);
        List<Invoice> closed = new ArrayList<>(0);
        closeUpTo(st, timestampMillis, closed);
        return closed;
    }

    /** Closes, as not estimated, up to {@value #CLOSES_AT_ONCE} cycles ending at or before {@code timestampMillis}. */
    private void closeUpTo(CycleState st, long timestampMillis, List<Invoice> closed) {
        for (int n = 0; timestampMillis >= st.cycle.endMillis(); n++) {
            if (n == CLOSES_AT_ONCE) {
                behind.merge(st.meterId, timestampMillis, Math::max);
                return;
            }
            closed.add(close(st, false));
        }
        behind.remove(st.meterId);
    }

    /**
     * Once a writer tick: closes more of the cycles of meters left behind by {@link #readingAt}, at
     * most {@value #CLOSES_AT_ONCE} each. Returns the invoices closed.
     */
    public List<Invoice> catchUp() {
        List<Invoice> closed = new ArrayList<>(0);
        for (Map.Entry<Long, Long> meter : new ArrayList<>(behind.entrySet())) {
            CycleState st = states.get(meter.getKey());
            if (st == null) {
                behind.remove(meter.getKey());
            } else {
                closeUpTo(st, meter.getValue(), closed);
            }
        }
        return closed;
    }

    /** The meter's state; a meter first heard at {@code firstMillis} starts in the cycle holding that time. */
    private CycleState state(long meterId, long firstMillis) {
        CycleState st = states.get(meterId);
        if (st == null) {
            st = new CycleState(meterId, calendar.cycleOf(firstMillis));
            states.put(meterId, st);
            markDirty(st);
        }
        return st;
    }

    /**
     * Closes, as estimated, the cycles of meters silent for the grace past their end.
     *
     * @param lastHeard when each meter was last heard (server clock), or {@code Long.MIN_VALUE}
     */
    public List<Invoice> closeSilent(LongUnaryOperator lastHeard) {
        long now = clock.millis();
        List<Invoice> closed = new ArrayList<>(0);
        for (CycleState st : states.values()) {
            for (int n = 0; n < CLOSES_AT_ONCE && now >= st.cycle.endMillis() + graceMillis
                    && now - lastHeard.applyAsLong(st.meterId) >= graceMillis; n++) {
                closed.add(close(st, true)); // a meter silent for years: the rest on the next passes
            }
        }
        return closed;
    }

    private Invoice close(CycleState st, boolean estimated) {
        long opening = st.totalMwh - st.cycleMwh - aheadMwh(st);
        long adjustment = opening - st.billedMwh;
        Tariff tariff = tariffs.at(st.cycle.endMillis());
        BigDecimal amount = tariff.amount(Invoice.kwh(st.cycleMwh + adjustment));
        Invoice invoice = new Invoice(st.meterId, st.cycle, opening, st.cycleMwh, adjustment, amount, tariff,
                estimated, clock.millis());
        repository.saveInvoice(invoice);
        st.billedMwh += st.cycleMwh + adjustment;
        st.recent.addLast(st.cycleMwh);
        while (st.recent.size() > RECENT) {
            st.recent.removeFirst();
        }
        st.recentView = null;
        st.cycle = calendar.next(st.cycle);
        Long next = st.ahead.remove(st.cycle.startMillis());
        st.cycleMwh = next == null ? 0 : next;
        markDirty(st);
        return invoice;
    }

    /** The open cycle's invoice as it stands, or {@code null} if the meter has no consumption yet. */
    public Invoice openInvoice(long meterId) {
        OpenCycle open = published.get(meterId);
        if (open == null) {
            return null;
        }
        Tariff tariff = tariffs.at(clock.millis());
        long billedMwh = open.cycleMwh() + open.pendingAdjustmentMwh();
        return new Invoice(meterId, open.cycle(), open.openingMwh(), open.cycleMwh(), open.pendingAdjustmentMwh(),
                tariff.amount(Invoice.kwh(billedMwh)), tariff, false, -1);
    }

    private void markDirty(CycleState st) {
        if (!st.dirty) {
            st.dirty = true;
            dirty.add(st);
        }
        if (!st.unpublished) {
            st.unpublished = true;
            unpublished.add(st);
        }
    }

    /** The states changed since the last call, to save in a checkpoint. */
    public List<Saved> drainDirty() {
        List<Saved> saved = new ArrayList<>(dirty.size());
        for (CycleState st : dirty) {
            st.dirty = false;
            if (states.get(st.meterId) == st) {
                saved.add(saved(st));
            }
        }
        dirty.clear();
        return saved;
    }

    /** The states of these meters (those that have one), for a commit that saves them alone. */
    public List<Saved> saved(Collection<Long> meterIds) {
        List<Saved> saved = new ArrayList<>(meterIds.size());
        for (long meterId : meterIds) {
            CycleState st = states.get(meterId);
            if (st != null) {
                saved.add(saved(st));
            }
        }
        return saved;
    }

    private static Saved saved(CycleState st) {
        return new Saved(st.meterId, st.cycle.startMillis(), st.cycleMwh, new TreeMap<>(st.ahead), st.totalMwh,
                st.billedMwh, recentView(st));
    }

    /** Makes the open cycles the last commit made durable visible to readers; call right after it committed. */
    public void publishCommitted() {
        for (CycleState st : unpublished) {
            st.unpublished = false;
            if (states.get(st.meterId) == st) {
                publish(st);
            }
        }
        unpublished.clear();
        for (long meterId : forgotten) {
            if (!states.containsKey(meterId)) {
                published.remove(meterId);
            }
        }
        forgotten.clear();
    }

    private void publish(CycleState st) {
        long opening = st.totalMwh - st.cycleMwh - aheadMwh(st);
        published.put(st.meterId, new OpenCycle(st.cycle, opening, st.cycleMwh, opening - st.billedMwh,
                recentView(st)));
    }

    /** The closed invoices' consumption, as an immutable list made again only when an invoice closes. */
    private static List<Long> recentView(CycleState st) {
        if (st.recentView == null) {
            st.recentView = List.copyOf(st.recent);
        }
        return st.recentView;
    }

    private static long aheadMwh(CycleState st) {
        long sum = 0;
        for (long mwh : st.ahead.values()) {
            sum += mwh;
        }
        return sum;
    }

    /** The open cycle's consumption as decided so far (writer thread). */
    public long openCycleMwh(long meterId) {
        CycleState st = states.get(meterId);
        return st == null ? 0 : st.cycleMwh;
    }

    /** The consumption of the meter's closed invoices, oldest first, at most {@value #RECENT} (writer thread). */
    public List<Long> recentInvoices(long meterId) {
        CycleState st = states.get(meterId);
        return st == null ? List.of() : recentView(st);
    }

    /** The meter's user and readings are being deleted; readers stop seeing its open cycle once that commits. */
    public void forget(long meterId) {
        states.remove(meterId);
        behind.remove(meterId);
        forgotten.add(meterId);
    }
}
