package org.gridmeter.server.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class TariffTest {

    private static BigDecimal d(String s) {
        return new BigDecimal(s);
    }

    @Test
    void flatPriceRoundsHalfUpToCents() {
        assertThat(Tariff.DEFAULT.amount(d("251.75"))).isEqualByComparingTo("163.64"); // 163.6375
        assertThat(Tariff.DEFAULT.amount(d("0.01"))).isEqualByComparingTo("0.01");     // 0.0065
        assertThat(Tariff.DEFAULT.amount(d("0.007"))).isEqualByComparingTo("0.00");    // 0.00455
    }

    @Test
    void blocksAreProgressive() {
        Tariff blocks = new Tariff(0, null, List.of(new Tariff.Block(d("100"), d("0.50")),
                new Tariff.Block(d("200"), d("0.70")), new Tariff.Block(null, d("0.90"))), Bandeira.VERDE, BigDecimal.ZERO);

        assertThat(blocks.amount(d("80"))).isEqualByComparingTo("40.00");
        assertThat(blocks.amount(d("150"))).isEqualByComparingTo("85.00");   // 100*0.5 + 50*0.7
        assertThat(blocks.amount(d("250"))).isEqualByComparingTo("165.00");  // 50 + 70 + 50*0.9
    }

    @Test
    void flagSurchargeAppliesPerKwhUnlessGreen() {
        Tariff red = new Tariff(0, d("0.65"), List.of(), Bandeira.VERMELHA, d("0.07877"));

        assertThat(red.amount(d("100"))).isEqualByComparingTo("72.88"); // 65 + 7.877
    }

    @Test
    void jsonRoundTripsAndNamesTheBadField() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        Tariff t = TariffJson.fromJson(mapper.readTree("{\"vigente_desde\": \"2026-12-01T00:00:00-03:00\", "
                + "\"blocos\": [{\"ate_kwh\": 100, \"preco\": 0.5}, {\"ate_kwh\": null, \"preco\": 0.8}], "
                + "\"bandeira\": \"amarela\", \"adicional_bandeira_kwh\": 0.01885}"), 0);

        assertThat(TariffJson.fromText(TariffJson.toText(t))).usingRecursiveComparison().ignoringFields("effectiveMillis")
                .isEqualTo(t);
        assertThatThrownBy(() -> TariffJson.fromJson(mapper.readTree("{\"preco_kwh\": -1}"), 0))
                .hasMessageContaining("'preco_kwh'");
        assertThatThrownBy(() -> TariffJson.fromJson(mapper.readTree("{\"preco_kwh\": 1, \"blocos\": []}"), 0))
                .hasMessageContaining("exactly one of 'preco_kwh'");
        assertThatThrownBy(() -> TariffJson.fromJson(mapper.readTree("{\"preco_kwh\": 1, \"bandeira\": \"azul\"}"), 0))
                .hasMessageContaining("'bandeira'");
        assertThatThrownBy(() -> TariffJson.fromJson(mapper.readTree(
                "{\"blocos\": [{\"ate_kwh\": 100, \"preco\": 0.5}, {\"ate_kwh\": 50, \"preco\": 0.8}]}"), 0))
                .hasMessageContaining("'blocos[1].ate_kwh'");
    }
}
