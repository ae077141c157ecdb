package io.marketbill.billing.rating;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Rates one hour of one dimension: quantity × price plus the remainder carried from the previous hour,
 * in exact decimal arithmetic. Whole 0.01-yuan units are charged; the fraction under one unit is carried
 * to the next hour instead of being cut off (Alibaba would truncate a bill under ¥0.01 to nothing).
 */
public final class Rating {

    /** The charged whole units and the fraction of a unit carried forward (0 ≤ carry < 1). */
    public record Rated(long units, BigDecimal carry) {
    }

    private static final int QUANTITY_SCALE = 6;

    private Rating() {
    }

    /**
     * @param quantityMicros the hour's quantity in millionths of the unit of measure (≥ 0)
     * @param unitsPerUnit   the price: 0.01-yuan units per unit of measure (≥ 0)
     * @param carryIn        the fraction carried from the previous hour (0 ≤ carryIn < 1)
     * @param trial          trial subscriptions are metered but rated at 0; their carry stays as it was
     */
    public static Rated rate(long quantityMicros, BigDecimal unitsPerUnit, BigDecimal carryIn, boolean trial) {
        if (quantityMicros < 0 || unitsPerUnit.signum() < 0 || carryIn.signum() < 0 || carryIn.compareTo(BigDecimal.ONE) >= 0) {
            throw new IllegalArgumentException("quantity, price and carry must be non-negative, carry under one unit");
        }
        if (trial) {
            return new Rated(0, carryIn);
        }
        BigDecimal cost = BigDecimal.valueOf(quantityMicros, QUANTITY_SCALE).multiply(unitsPerUnit).add(carryIn);
        BigDecimal whole = cost.setScale(0, RoundingMode.FLOOR);
        return new Rated(whole.longValueExact(), cost.subtract(whole).stripTrailingZeros());
    }
}
