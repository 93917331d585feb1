package org.gridmeter.server.billing;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;

/**
 * Billing cycles: from 00:00 of the closing day of one month to 00:00 of the closing day of the
 * next, in the billing zone. A closing day past a month's end (29-31 in a short month) is that
 * month's last day. A cycle is named after the month in which it closes. Immutable.
 */
public final class BillingCalendar {

    /** One cycle: {@code [startMillis, endMillis)}, closing in {@code month}. */
    public record Cycle(long startMillis, long endMillis, YearMonth month) {
    }

    private final ZoneId zone;
    private final int closingDay;

    public BillingCalendar(ZoneId zone, int closingDay) {
        if (closingDay < 1 || closingDay > 31) {
            throw new IllegalArgumentException("closingDay: " + closingDay + " (expected: 1..31)");
        }
        this.zone = zone;
        this.closingDay = closingDay;
    }

    public ZoneId zone() {
        return zone;
    }

    public int closingDay() {
        return closingDay;
    }

    /** 00:00 of the closing day of {@code month}, in the zone (the start of that day where DST skips midnight). */
    public long boundary(YearMonth month) {
        int day = Math.min(closingDay, month.lengthOfMonth());
        return month.atDay(day).atStartOfDay(zone).toInstant().toEpochMilli();
    }

    /** The cycle that contains {@code epochMillis}. */
    public Cycle cycleOf(long epochMillis) {
        YearMonth month = YearMonth.from(Instant.ofEpochMilli(epochMillis).atZone(zone));
        if (epochMillis < boundary(month)) {
            month = month.minusMonths(1);
        }
        YearMonth closing = month.plusMonths(1);
        return new Cycle(boundary(month), boundary(closing), closing);
    }

    /** The cycle that closes in {@code month}. */
    public Cycle cycleClosingIn(YearMonth month) {
        return new Cycle(boundary(month.minusMonths(1)), boundary(month), month);
    }

    /** The cycle after {@code cycle}. */
    public Cycle next(Cycle cycle) {
        return cycleClosingIn(cycle.month().plusMonths(1));
    }
}
