package org.gridmeter.server.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * A tariff as JSON, the documented keys: {@code vigente_desde}, {@code preco_kwh} or {@code blocos}
 * ({@code [{"ate_kwh", "preco"}]}, the last without limit), {@code bandeira} and
 * {@code adicional_bandeira_kwh}. The same text is stored with each invoice and in the database.
 */
public final class TariffJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A tariff body that is not valid; the messages (English, and {@link #portuguese}) name the field. */
    public static final class InvalidTariffException extends IllegalArgumentException {
        private final String portuguese;

        InvalidTariffException(String portuguese, String english) {
            super(english);
            this.portuguese = portuguese;
        }

        public String portuguese() {
            return portuguese;
        }
    }

    private TariffJson() {
    }

    public static ObjectNode toJson(Tariff t, ZoneId zone) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("vigente_desde", t.effectiveMillis() == Long.MIN_VALUE ? null
                : OffsetDateTime.ofInstant(Instant.ofEpochMilli(t.effectiveMillis()), zone).toString());
        node.put("tipo", t.pricePerKwh() != null ? "fixa" : "blocos");
        if (t.pricePerKwh() != null) {
            node.put("preco_kwh", t.pricePerKwh());
        } else {
            ArrayNode blocks = node.putArray("blocos");
            for (Tariff.Block b : t.blocks()) {
                ObjectNode block = blocks.addObject();
                block.put("ate_kwh", b.upToKwh());
                block.put("preco", b.price());
            }
        }
        node.put("bandeira", t.bandeira().label());
        node.put("adicional_bandeira_kwh", t.flagSurchargePerKwh());
        return node;
    }

    public static String toText(Tariff t) {
        return toJson(t, java.time.ZoneOffset.UTC).toString();
    }

    public static Tariff fromText(String text) {
        try {
            return fromJson(MAPPER.readTree(text), Long.MIN_VALUE);
        } catch (java.io.IOException e) {
            throw new InvalidTariffException("não é JSON", "not JSON");
        }
    }

    /**
     * Reads a tariff; {@code vigente_desde} defaults to {@code defaultEffectiveMillis}.
     *
     * @throws InvalidTariffException naming the field at fault
     */
    public static Tariff fromJson(JsonNode node, long defaultEffectiveMillis) {
        if (node == null || !node.isObject()) {
            throw new InvalidTariffException("a tarifa deve ser um objeto JSON, por exemplo {\"preco_kwh\": 0.65}",
                    "the tariff must be a JSON object, e.g. {\"preco_kwh\": 0.65}");
        }
        long effective = defaultEffectiveMillis;
        JsonNode since = node.get("vigente_desde");
        if (since != null && !since.isNull()) {
            try {
                effective = OffsetDateTime.parse(since.asText()).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new InvalidTariffException("o campo 'vigente_desde' deve ser um instante com fuso, por exemplo "
                        + "2026-12-01T00:00:00-03:00", "field 'vigente_desde' must be an ISO-8601 time with offset, e.g. "
                        + "2026-12-01T00:00:00-03:00");
            }
        }
        JsonNode price = node.get("preco_kwh");
        JsonNode blocksNode = node.get("blocos");
        boolean hasPrice = price != null && !price.isNull();
        boolean hasBlocks = blocksNode != null && !blocksNode.isNull();
        if (hasPrice == hasBlocks) {
            throw new InvalidTariffException("informe só um de 'preco_kwh' (um preço único) ou 'blocos' (por exemplo "
                    + "[{\"ate_kwh\": 100, \"preco\": 0.5}, {\"ate_kwh\": null, \"preco\": 0.8}])",
                    "give exactly one of 'preco_kwh' (a flat price) or 'blocos' "
                    + "(e.g. [{\"ate_kwh\": 100, \"preco\": 0.5}, {\"ate_kwh\": null, \"preco\": 0.8}])");
        }
        BigDecimal flat = hasPrice ? money(price, "preco_kwh") : null;
        List<Tariff.Block> blocks = new ArrayList<>();
        if (hasBlocks) {
            if (!blocksNode.isArray() || blocksNode.isEmpty()) {
                throw new InvalidTariffException("o campo 'blocos' deve ser uma lista não vazia",
                        "field 'blocos' must be a non-empty array");
            }
            BigDecimal previous = BigDecimal.ZERO;
            for (int i = 0; i < blocksNode.size(); i++) {
                JsonNode b = blocksNode.get(i);
                JsonNode upTo = b.get("ate_kwh");
                boolean last = i == blocksNode.size() - 1;
                BigDecimal limit = null;
                if (last != (upTo == null || upTo.isNull())) {
                    throw new InvalidTariffException("o campo 'blocos[" + i + "].ate_kwh' deve ser " + (last
                            ? "null no último bloco (ele não tem limite)" : "um número em todos os blocos menos o último"),
                            "field 'blocos[" + i + "].ate_kwh' must be " + (last
                            ? "null on the last block (it has no limit)" : "a number on every block but the last"));
                }
                if (!last) {
                    limit = money(upTo, "blocos[" + i + "].ate_kwh");
                    if (limit.compareTo(previous) <= 0) {
                        throw new InvalidTariffException("o campo 'blocos[" + i + "].ate_kwh' deve crescer de bloco em bloco",
                                "field 'blocos[" + i + "].ate_kwh' must grow from block to block");
                    }
                    previous = limit;
                }
                blocks.add(new Tariff.Block(limit, money(b.get("preco"), "blocos[" + i + "].preco")));
            }
        }
        Bandeira bandeira = Bandeira.VERDE;
        JsonNode flag = node.get("bandeira");
        if (flag != null && !flag.isNull()) {
            bandeira = flag.isTextual() ? Bandeira.of(flag.asText()) : null;
            if (bandeira == null) {
                throw new InvalidTariffException("o campo 'bandeira' deve ser verde, amarela ou vermelha",
                        "field 'bandeira' must be verde, amarela or vermelha");
            }
        }
        JsonNode surchargeNode = node.get("adicional_bandeira_kwh");
        BigDecimal surcharge = surchargeNode == null || surchargeNode.isNull() ? BigDecimal.ZERO
                : money(surchargeNode, "adicional_bandeira_kwh");
        if (bandeira != Bandeira.VERDE && surcharge.signum() == 0) {
            throw new InvalidTariffException("o campo 'adicional_bandeira_kwh' é obrigatório com a bandeira "
                    + bandeira.label() + " (o adicional por kWh, por exemplo 0.01885)",
                    "field 'adicional_bandeira_kwh' is required with bandeira "
                    + bandeira.label() + " (the surcharge per kWh, e.g. 0.01885)");
        }
        return new Tariff(effective, flat, blocks, bandeira, surcharge);
    }

    private static BigDecimal money(JsonNode node, String field) {
        if (node == null || !node.isNumber() || node.decimalValue().signum() < 0) {
            throw new InvalidTariffException("o campo '" + field + "' deve ser um número >= 0, por exemplo 0.65",
                    "field '" + field + "' must be a number >= 0, e.g. 0.65");
        }
        return node.decimalValue();
    }
}
