package org.gridmeter.server.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Objects;

/**
 * A tariff: a flat price per kWh, or progressive blocks by consumption; plus the flag surcharge
 * per kWh when the flag is not green. Effective from {@code effectiveMillis}: it applies to cycles
 * that close at or after that instant. Money is {@link BigDecimal}, rounded half-up to cents.
 *
 * @param pricePerKwh flat price, or {@code null} when {@code blocks} are given
 * @param blocks      progressive blocks, each up to a cumulative kWh ({@code null} on the last: no limit)
 */
public record Tariff(long effectiveMillis, BigDecimal pricePerKwh, List<Block> blocks, Bandeira bandeira,
        BigDecimal flagSurchargePerKwh) {

    /** The original's tariff: flat 0.65 per kWh, green flag, in force since always. */
    public static final Tariff DEFAULT = new Tariff(Long.MIN_VALUE, new BigDecimal("0.65"), List.of(), Bandeira.VERDE,
            BigDecimal.ZERO);

    /** One block: consumption up to {@code upToKwh} (cumulative; {@code null} = the rest) costs {@code price}. */
    public record Block(BigDecimal upToKwh, BigDecimal price) {
        public Block {
            Objects.requireNonNull(price, "price");
        }
    }

    public Tariff {
        blocks = List.copyOf(blocks);
        Objects.requireNonNull(bandeira, "bandeira");
        Objects.requireNonNull(flagSurchargePerKwh, "flagSurchargePerKwh");
        if ((pricePerKwh == null) == blocks.isEmpty()) {
            throw new IllegalArgumentException("a tariff has either a flat price or blocks, not both or neither");
        }
        if (!blocks.isEmpty() && blocks.get(blocks.size() - 1).upToKwh() != null) {
            throw new IllegalArgumentException("the last block must have no upper limit");
        }
    }

    /** The amount for {@code kwh}, rounded half-up to cents. */
    public BigDecimal amount(BigDecimal kwh) {
        BigDecimal energy;
        if (pricePerKwh != null || kwh.signum() <= 0) {
            energy = kwh.multiply(pricePerKwh != null ? pricePerKwh : blocks.get(0).price());
        } else {
            energy = BigDecimal.ZERO;
            BigDecimal billed = BigDecimal.ZERO;
            for (Block block : blocks) {
                BigDecimal upTo = block.upToKwh() == null ? kwh : block.upToKwh().min(kwh);
                if (upTo.compareTo(billed) > 0) {
                    energy = energy.add(upTo.subtract(billed).multiply(block.price()));
                    billed = upTo;
                }
            }
        }
        BigDecimal surcharge = bandeira == Bandeira.VERDE ? BigDecimal.ZERO : kwh.multiply(flagSurchargePerKwh);
        return energy.add(surcharge).setScale(2, RoundingMode.HALF_UP);
    }
}
