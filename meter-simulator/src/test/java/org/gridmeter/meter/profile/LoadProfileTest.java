package org.gridmeter.meter.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LoadProfileTest {

    private static final ZonedDateTime MONDAY = ZonedDateTime.of(2026, 11, 2, 0, 0, 0, 0, ZoneId.of("America/Sao_Paulo"));

    /** kWh over 30 days of 5-minute steps. */
    private static double monthKwh(LoadProfile profile, long seed) {
        Random random = new Random(seed);
        double wh = 0;
        for (int step = 0; step < 30 * 24 * 12; step++) {
            wh += profile.watts(MONDAY.plusMinutes(5L * step), random) / 12;
        }
        return wh / 1000;
    }

    @Test
    void householdUsesAbout150KwhAMonthLikeTheOriginalsReference() {
        assertThat(monthKwh(LoadProfile.residencial(), 1)).isBetween(140.0, 160.0);
    }

    @Test
    void householdPeaksInTheEveningAndSleepsAtNight() {
        LoadProfile p = LoadProfile.residencial();
        double night = p.watts(MONDAY.withHour(3), new Random(1));
        double evening = p.watts(MONDAY.withHour(19), new Random(1));
        assertThat(evening).isGreaterThan(night * 3);
    }

    @Test
    void shopDrawsInBusinessHoursOnWeekdays() {
        LoadProfile p = LoadProfile.comercial();
        assertThat(p.watts(MONDAY.withHour(11), new Random(1))).isGreaterThan(2000);
        assertThat(p.watts(MONDAY.withHour(23), new Random(1))).isLessThan(800);
        assertThat(p.watts(MONDAY.plusDays(5).withHour(11), new Random(1))).as("Saturday").isLessThan(800);
    }

    @Test
    void sameSeedSameLoad() {
        assertThat(monthKwh(LoadProfile.residencial(), 42)).isEqualTo(monthKwh(LoadProfile.residencial(), 42));
        assertThat(monthKwh(LoadProfile.residencial(), 42)).isNotEqualTo(monthKwh(LoadProfile.residencial(), 43));
        assertThat(LoadProfile.constante(1.5).watts(MONDAY, new Random())).isEqualTo(1500);
    }
}
