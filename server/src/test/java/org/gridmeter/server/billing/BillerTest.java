package org.gridmeter.server.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.gridmeter.server.TestClock;
import org.junit.jupiter.api.Test;

class BillerTest {

    private final List<Invoice> saved = new ArrayList<>();
    private final TestClock clock = TestClock.at(Instant.parse("2030-03-01T00:00:00Z"));
    private final Biller biller = new Biller(new BillingCalendar(ZoneOffset.UTC, 10), new TariffBook(List.of()),
            saved::add, clock, Duration.ofHours(24), List.of());

    private static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    @Test
    void aReadingAfterYearsOfSilenceClosesAFewInvoicesAtOnceAndTheRestOnLaterTicks() {
        long first = at("2025-01-20T00:00:00Z");
        long last = at("2030-02-20T00:00:00Z"); // 61 cycles later
        biller.consumed(1, first, first, 1_000);
        biller.readingAt(1, first);
        biller.consumed(1, first, last, 61_000_000);

        List<Invoice> closed = new ArrayList<>(biller.readingAt(1, last));
        assertThat(closed).as("one reading closes at most %d", Biller.CLOSES_AT_ONCE).hasSize(Biller.CLOSES_AT_ONCE);
        for (int tick = 0; tick < 10; tick++) {
            closed.addAll(biller.catchUp());
        }

        assertThat(closed).hasSize(61);
        assertThat(closed.get(60).cycle().month()).hasToString("2030-02");
        assertThat(biller.catchUp()).as("nothing left behind").isEmpty();
        long billed = closed.stream().mapToLong(i -> i.consumptionMwh() + i.adjustmentMwh()).sum()
                + biller.openCycleMwh(1);
        assertThat(billed).as("the invoices and the open cycle hold everything, to the mWh").isEqualTo(61_001_000);
    }

    @Test
    void aMeterSilentForYearsGetsItsEstimatedInvoicesAFewAtATime() {
        long first = at("2027-01-20T00:00:00Z");
        biller.consumed(1, first, first, 5_000);
        biller.readingAt(1, first);

        List<Invoice> closed = biller.closeSilent(id -> first);
        assertThat(closed).hasSize(Biller.CLOSES_AT_ONCE).allMatch(Invoice::estimated);
        closed.addAll(biller.closeSilent(id -> first));
        closed.addAll(biller.closeSilent(id -> first));
        assertThat(closed).hasSize(3 * Biller.CLOSES_AT_ONCE);
        closed.addAll(biller.closeSilent(id -> first));
        assertThat(closed).as("every cycle from 2027-02 to 2030-02").hasSize(37);
        assertThat(closed.get(36).cycle().month()).hasToString("2030-02");
    }
}
