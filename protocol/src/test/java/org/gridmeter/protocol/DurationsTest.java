package org.gridmeter.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void parsesTheContractsForms() {
        assertThat(Durations.parse("200ms")).isEqualTo(Duration.ofMillis(200));
        assertThat(Durations.parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(Durations.parse("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(Durations.parse("24h")).isEqualTo(Duration.ofHours(24));
        assertThat(Durations.parse("400d")).isEqualTo(Duration.ofDays(400));
        assertThat(Durations.parse("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void formatsTheShortestExactForm() {
        assertThat(Durations.format(Duration.ofMillis(200))).isEqualTo("200ms");
        assertThat(Durations.format(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(Durations.format(Duration.ofDays(400))).isEqualTo("400d");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    }

    @Test
    void rejectsTextThatIsNoDurationWithTheAcceptedForms() {
        assertThatThrownBy(() -> Durations.parse("five seconds"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'five seconds'")
                .hasMessageContaining("is not a duration").hasMessageContaining("e.g. 200ms, 5s, 1m, 24h");
    }
}
