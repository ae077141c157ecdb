package io.marketbill.billing.catalog;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Optional;

/**
 * Yuan from marketplace units, exactly: each listing prices its unit in yuan (EMQX ¥0.01, Zilliz ¥0.001), and an
 * amount is units × that value in {@link BigDecimal}, never a floating-point number.
 */
public final class Money {

    private static final BigDecimal FEN = new BigDecimal("0.01");

    private Money() {
    }

    /** A unit value from the products file: a positive decimal with at most 6 decimals; empty otherwise. */
    public static Optional<BigDecimal> unitValue(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            BigDecimal v = new BigDecimal(text.trim());
            return v.signum() > 0 && v.stripTrailingZeros().scale() <= 6 ? Optional.of(v) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * The fewest units worth a whole number of fen: 1 for ¥0.01 or ¥0.05, 10 for ¥0.001, 2 for ¥0.005. The
     * marketplace bills whole fen, so charging in these steps means it bills exactly what was rated.
     */
    public static long billingStep(BigDecimal unitValue) {
        BigDecimal inFen = unitValue.divide(FEN).stripTrailingZeros();
        if (inFen.scale() <= 0) {
            return 1;
        }
        BigInteger denominator = BigInteger.TEN.pow(inFen.scale());
        return denominator.divide(denominator.gcd(inFen.unscaledValue())).longValueExact();
    }

    /** {@code units} at {@code unitValue} yuan each, with at least two decimals (0.50, not 0.5). */
    public static BigDecimal yuan(long units, BigDecimal unitValue) {
        return yuan(BigDecimal.valueOf(units), unitValue);
    }

    /** A fraction of units (usage valued at its price, before it is charged in whole fen), exactly. */
    public static BigDecimal yuan(BigDecimal units, BigDecimal unitValue) {
        BigDecimal v = units.multiply(unitValue).stripTrailingZeros();
        return v.scale() < 2 ? v.setScale(2) : v;
    }
}
