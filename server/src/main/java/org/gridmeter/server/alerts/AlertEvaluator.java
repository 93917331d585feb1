package org.gridmeter.server.alerts;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongUnaryOperator;
import org.gridmeter.server.usage.ConsumptionListener;

/**
 * The alert rules of docs/api.md ("Alerts, in plain words"), evaluated on the writer thread after every datagram of a
 * meter (so an alert is raised, and committed, well within a second of the reading that causes it)
 * and once a second for silent meters. Each alert is an event with a start, an end, the rule that
 * fired, the value and the limit it crossed. Readers see {@link #active} after each commit.
 */
public final class AlertEvaluator implements ConsumptionListener {

    /** The configurable limits. */
    public record Thresholds(BigDecimal excessKwh, BigDecimal excessKw, BigDecimal variationKwh, Duration offlineAfter) {
    }

    private static final long MINUTE = 60_000;
    private static final BigDecimal MWH_PER_KWH = BigDecimal.valueOf(1_000_000);

    private final AlertRepository repository;
    private final Thresholds limits;
    private final Clock clock;
    private final Map<Long, PowerWindow> windows = new HashMap<>();
    private final Map<Long, EnumMap<AlertType, Alert>> active = new HashMap<>();
    private final Set<Long> changed = new HashSet<>();
    private final List<Alert> transitions = new ArrayList<>();
    private final Map<Long, Map<AlertType, Alert>> published = new ConcurrentHashMap<>();

    public AlertEvaluator(AlertRepository repository, Thresholds limits, Clock clock, Collection<Alert> restored) {
        this.repository = repository;
        this.limits = limits;
        this.clock = clock;
        adopt(restored);
    }

    /** Adds the active alerts of meters taken over from another cluster node (docs/scaling.md). */
    public void adopt(Collection<Alert> restored) {
        for (Alert a : restored) {
            active.computeIfAbsent(a.meterId(), id -> new EnumMap<>(AlertType.class)).put(a.type(), a);
            changed.add(a.meterId());
        }
        publish();
    }

    @Override
    public void consumed(long meterId, long fromMillis, long toMillis, long deltaMwh) {
        windows.computeIfAbsent(meterId, id -> new PowerWindow()).add(fromMillis, toMillis, deltaMwh);
    }

    /**
     * Evaluates the reading rules for a meter after its readings up to {@code latestMillis} (event
     * time) were recorded; ends its silence alert.
     *
     * @param openCycleMwh   the open billing cycle's consumption so far
     * @param recentInvoices the consumption of its closed invoices, oldest first
     */
    public void evaluate(long meterId, long latestMillis, long openCycleMwh, List<Long> recentInvoices) {
        end(meterId, AlertType.SEM_SINAL, clock.millis());
        PowerWindow window = windows.get(meterId);

        Fired excess = null;
        if (!recentInvoices.isEmpty()) {
            long mean = Math.round(recentInvoices.stream().mapToLong(Long::longValue).average().orElse(0));
            BigDecimal limit = kwh(mean).add(limits.excessKwh());
            if (kwh(openCycleMwh).compareTo(limit) > 0) {
                excess = new Fired("ciclo_acima_da_media", kwh(openCycleMwh), kwh(mean), limit,
                        "ciclo_vs_media:" + recentInvoices.size());
            }
        }
        if (excess == null && window != null && window.covers(latestMillis - 15 * MINUTE)) {
            Double watts = window.averageWatts(latestMillis - 15 * MINUTE, latestMillis);
            if (watts != null && watts > limits.excessKw().doubleValue() * 1000) {
                excess = new Fired("potencia_15min", kw(watts), null, limits.excessKw(), "15min");
            }
        }
        apply(meterId, AlertType.EXCESSO, excess, latestMillis);

        Fired variation = null;
        if (!recentInvoices.isEmpty()) {
            long last = recentInvoices.get(recentInvoices.size() - 1);
            BigDecimal limit = kwh(last).add(limits.variationKwh());
            if (kwh(openCycleMwh).compareTo(limit) > 0) {
                variation = new Fired("ciclo_acima_do_anterior", kwh(openCycleMwh), kwh(last), limit,
                        "ciclo_vs_anterior");
            }
        }
        if (variation == null && window != null && window.covers(latestMillis - 65 * MINUTE)) {
            Double recent = window.averageWatts(latestMillis - 5 * MINUTE, latestMillis);
            Double hour = window.averageWatts(latestMillis - 65 * MINUTE, latestMillis - 5 * MINUTE);
            if (recent != null && hour != null) {
                double allowed = Math.max(hour, 1000); // more than 100 % of the hour and more than 1 kW
                if (Math.abs(recent - hour) > allowed) {
                    double limit = recent > hour ? hour + allowed : hour - allowed;
                    variation = new Fired("potencia_5min_vs_hora", kw(recent), kw(hour), kw(limit), "5min_vs_hora");
                }
            }
        }
        apply(meterId, AlertType.VARIACAO, variation, latestMillis);
    }

    /**
     * How long a meter may be silent before it is offline: {@code --offline-after}, and at least
     * three times its own usual interval (the median time between its recent datagrams), so a meter
     * that reports every 5 minutes is not offline after one.
     *
     * @param usualIntervalMillis the meter's usual interval, or a negative value if not known yet
     */
    public static long offlineLimitMillis(long offlineAfterMillis, long usualIntervalMillis) {
        return usualIntervalMillis < 0 ? offlineAfterMillis : Math.max(offlineAfterMillis, 3 * usualIntervalMillis);
    }

    /**
     * Raises the silence alert of every registered meter silent for longer than its offline limit
     * ({@link #offlineLimitMillis}).
     *
     * @param lastHeard     server clock when a meter was last heard, {@code Long.MIN_VALUE} if never
     * @param usualInterval a meter's usual interval in ms, negative if not known
     */
    public void checkSilent(Collection<Long> registered, LongUnaryOperator lastHeard, LongUnaryOperator usualInterval) {
        long now = clock.millis();
        for (long meterId : registered) {
            long heard = lastHeard.applyAsLong(meterId);
            long usual = usualInterval.applyAsLong(meterId);
            long limit = offlineLimitMillis(limits.offlineAfter().toMillis(), usual);
            if (heard != Long.MIN_VALUE && now - heard > limit && !isActive(meterId, AlertType.SEM_SINAL)) {
                apply(meterId, AlertType.SEM_SINAL, new Fired("sem_sinal", BigDecimal.valueOf((now - heard) / 1000),
                        usual < 0 ? null : BigDecimal.valueOf(usual).divide(BigDecimal.valueOf(1000)),
                        BigDecimal.valueOf(limit).divide(BigDecimal.valueOf(1000)), "sem_sinal"), now);
            }
        }
    }

    private record Fired(String rule, BigDecimal value, BigDecimal baseline, BigDecimal limit, String window) {
    }

    private void apply(long meterId, AlertType type, Fired fired, long atMillis) {
        if (fired == null) {
            end(meterId, type, atMillis);
        } else if (!isActive(meterId, type)) {
            Alert alert = new Alert(0, meterId, type, fired.rule(), atMillis, -1, fired.value(), fired.baseline(),
                    fired.limit(), fired.window());
            long id = repository.insert(alert);
            Alert raised = new Alert(id, meterId, type, fired.rule(), atMillis, -1, fired.value(), fired.baseline(),
                    fired.limit(), fired.window());
            active.computeIfAbsent(meterId, m -> new EnumMap<>(AlertType.class)).put(type, raised);
            changed.add(meterId);
            transitions.add(raised);
        }
    }

    private void end(long meterId, AlertType type, long atMillis) {
        EnumMap<AlertType, Alert> alerts = active.get(meterId);
        Alert alert = alerts == null ? null : alerts.remove(type);
        if (alert != null) {
            long end = Math.max(atMillis, alert.startMillis());
            repository.end(alert.id(), end);
            changed.add(meterId);
            transitions.add(alert.ended(end));
        }
    }

    private boolean isActive(long meterId, AlertType type) {
        EnumMap<AlertType, Alert> alerts = active.get(meterId);
        return alerts != null && alerts.containsKey(type);
    }

    /** The alerts raised or ended since the last call (for the event stream). */
    public List<Alert> drainTransitions() {
        List<Alert> drained = List.copyOf(transitions);
        transitions.clear();
        return drained;
    }

    /** Makes the changes since the last call visible to readers; call after they are committed. */
    public List<Long> publish() {
        List<Long> meters = new ArrayList<>(changed);
        for (long meterId : changed) {
            EnumMap<AlertType, Alert> alerts = active.get(meterId);
            if (alerts == null || alerts.isEmpty()) {
                published.remove(meterId);
            } else {
                published.put(meterId, Map.copyOf(alerts));
            }
        }
        changed.clear();
        return meters;
    }

    /** The meter's active alerts as last committed; any thread. */
    public Map<AlertType, Alert> active(long meterId) {
        return published.getOrDefault(meterId, Map.of());
    }

    public void forget(long meterId) {
        windows.remove(meterId);
        active.remove(meterId);
        published.remove(meterId);
    }

    private static BigDecimal kwh(long mwh) {
        return BigDecimal.valueOf(mwh).divide(MWH_PER_KWH, 3, RoundingMode.HALF_UP);
    }

    private static BigDecimal kw(double watts) {
        return BigDecimal.valueOf(watts / 1000).setScale(3, RoundingMode.HALF_UP);
    }
}
