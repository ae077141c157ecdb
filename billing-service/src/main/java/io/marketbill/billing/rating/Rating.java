package io.marketbill.billing.rating;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * Rates one hour of one dimension: quantity × price plus the remainder carried from the previous hour, in exact
 * decimal arithmetic, in the listing's marketplace units. What is charged is a whole number of billing steps (the
 * fewest units worth a whole fen, see {@code PriceCatalog}); the rest, under one step, is carried to the next hour
 * instead of being cut off, because the marketplace bills whole fen and drops what is below (Alibaba truncates a
 * fee beyond two decimals).
 */
public final class Rating {

    /** The charged units (a multiple of the step) and what is carried forward (0 ≤ carry < step). */
    public record Rated(long units, BigDecimal carry) {
    }

    /** Part of an hour's quantity, in millionths of the unit of measure, at one price (units per unit of measure). */
    public record Part(long quantityMicros, BigDecimal unitsPerUnit) {
    }

    private static final int QUANTITY_SCALE = 6;

    private Rating() {
    }

    /**
     * @param quantityMicros the hour's quantity in millionths of the unit of measure (≥ 0)
     * @param unitsPerUnit   the price: marketplace units per unit of measure (≥ 0)
     * @param carryIn        the units carried from the previous hour (0 ≤ carryIn < step)
     * @param step           the billing step: units are charged in multiples of it (≥ 1)
     * @param zeroRated      rated at 0 (usage the marketplace must not be charged for); the carry stays as it was
     */
    public static Rated rate(long quantityMicros, BigDecimal unitsPerUnit, BigDecimal carryIn, long step,
                             boolean zeroRated) {
        return rate(List.of(new Part(quantityMicros, unitsPerUnit)), carryIn, step, zeroRated);
    }

    /**
     * An hour whose parts are priced differently (a plan change in its middle): each part at its own price, the
     * sum charged in whole steps with one carry, so the split costs nothing and loses nothing.
     */
    public static Rated rate(List<Part> parts, BigDecimal carryIn, long step, boolean zeroRated) {
        if (step < 1) {
            throw new IllegalArgumentException("the billing step must be at least one unit");
        }
        BigDecimal steps = BigDecimal.valueOf(step);
        if (parts.stream().anyMatch(p -> p.quantityMicros() < 0 || p.unitsPerUnit().signum() < 0)
                || carryIn.signum() < 0 || carryIn.compareTo(steps) >= 0) {
            throw new IllegalArgumentException("quantity, price and carry must be non-negative, carry under one step");
        }
        if (zeroRated) {
            return new Rated(0, carryIn);
        }
        BigDecimal cost = carryIn;
        for (Part p : parts) {
            cost = cost.add(BigDecimal.valueOf(p.quantityMicros(), QUANTITY_SCALE).multiply(p.unitsPerUnit()));
        }
        long whole = cost.divide(steps, 0, RoundingMode.FLOOR).longValueExact() * step;
        return new Rated(whole, cost.subtract(BigDecimal.valueOf(whole)).stripTrailingZeros());
    }
}
