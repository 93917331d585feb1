package org.gridmeter.meter.profile;

import java.time.DayOfWeek;
import java.time.ZonedDateTime;
import java.util.Random;

/**
 * A meter's load: the average power drawn around a moment, with some noise from the meter's own
 * seeded {@link Random} (so a seed makes the load reproducible).
 */
public interface LoadProfile {

    /** Watts drawn at {@code time}. */
    double watts(ZonedDateTime time, Random random);

    /**
     * A household: about 150 kWh a month on average (the original's reference), low at night, a
     * morning peak (6-9 h) and a larger evening peak (18-22 h). Factors by hour, mean 1.
     */
    static LoadProfile residencial() {
        double[] shape = {0.45, 0.40, 0.38, 0.38, 0.40, 0.55, 1.10, 1.50, 1.35, 0.90, 0.80, 0.85,
            0.95, 0.90, 0.80, 0.80, 0.95, 1.25, 1.90, 2.20, 2.00, 1.60, 1.05, 0.64};
        return shaped(150_000.0 / (30 * 24), shape, 0.15);
    }

    /**
     * A small shop or office: about 3 kW in business hours (8-18 h) on weekdays, 0.4 kW otherwise
     * (about 850 kWh a month).
     */
    static LoadProfile comercial() {
        return (time, random) -> {
            boolean weekday = time.getDayOfWeek() != DayOfWeek.SATURDAY && time.getDayOfWeek() != DayOfWeek.SUNDAY;
            boolean open = weekday && time.getHour() >= 8 && time.getHour() < 18;
            return (open ? 3000 : 400) * (1 + 0.10 * random.nextGaussian());
        };
    }

    /** Always {@code kw} kilowatts, no noise. */
    static LoadProfile constante(double kw) {
        return (time, random) -> kw * 1000;
    }

    /** {@code meanWatts} shaped by hourly factors (interpolated within the hour), with Gaussian noise. */
    private static LoadProfile shaped(double meanWatts, double[] hourly, double noise) {
        return (time, random) -> {
            double hour = time.getHour() + time.getMinute() / 60.0;
            int h = (int) hour;
            double factor = hourly[h] + (hourly[(h + 1) % 24] - hourly[h]) * (hour - h);
            return Math.max(0, meanWatts * factor * (1 + noise * random.nextGaussian()));
        };
    }
}
