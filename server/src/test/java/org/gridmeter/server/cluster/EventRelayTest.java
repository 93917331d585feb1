package org.gridmeter.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import org.gridmeter.server.alerts.Alert;
import org.gridmeter.server.alerts.AlertType;
import org.gridmeter.server.billing.BillingCalendar;
import org.gridmeter.server.billing.Invoice;
import org.gridmeter.server.billing.Tariff;
import org.gridmeter.server.events.Event;
import org.gridmeter.server.usage.MeterSnapshot;
import org.junit.jupiter.api.Test;

class EventRelayTest {

    private final MeterSnapshot snapshot = new MeterSnapshot(7, 123_456, 1_700_000_000_000L, 999_999, 1500, 10, 3,
            1_700_000_000_100L, 5_000, 42, 1, 0, 2);
    private final Alert alert = new Alert(3, 7, AlertType.values()[0], "potencia_15min", 1_700_000_000_000L, -1,
            new BigDecimal("6.250"), new BigDecimal("5.000"), new BigDecimal("5.000"), "15min");
    private final Invoice invoice = new Invoice(7, new BillingCalendar.Cycle(1, 2, YearMonth.of(2026, 11)), 10, 20, -1,
            new BigDecimal("12.34"), Tariff.DEFAULT, true, 5);

    @Test
    void everyKindOfEventCrossesToAnotherNodeUnchanged() {
        List<String> payloads = EventRelay.payloads("a",
                List.of(new Event.ReadingEvent(snapshot), new Event.AlertEvent(alert), new Event.InvoiceEvent(invoice)));

        assertThat(payloads).hasSize(1);
        assertThat(EventRelay.events("b", payloads.get(0))).containsExactly(new Event.ReadingEvent(snapshot),
                new Event.AlertEvent(alert), new Event.InvoiceEvent(invoice));
    }

    @Test
    void aNodeIgnoresWhatItSentItselfAndManyEventsSplitUnderTheNotifyLimit() {
        List<Event> many = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            many.add(new Event.ReadingEvent(snapshot));
        }
        List<String> payloads = EventRelay.payloads("a", many);

        assertThat(payloads.size()).isGreaterThan(1);
        assertThat(payloads).allSatisfy(p -> assertThat(p.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThan(8_000));
        assertThat(payloads.stream().mapToInt(p -> EventRelay.events("b", p).size()).sum()).isEqualTo(500);
        assertThat(EventRelay.events("a", payloads.get(0))).isEmpty();
    }
}
