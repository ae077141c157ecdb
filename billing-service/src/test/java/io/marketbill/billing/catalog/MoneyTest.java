package io.marketbill.billing.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class MoneyTest {

    @Test
    void theStepIsTheFewestUnitsWorthWholeFen() {
        assertThat(Money.billingStep(new BigDecimal("0.01"))).isEqualTo(1);
        assertThat(Money.billingStep(new BigDecimal("0.05"))).isEqualTo(1);
        assertThat(Money.billingStep(new BigDecimal("1"))).isEqualTo(1);
        assertThat(Money.billingStep(new BigDecimal("0.001"))).isEqualTo(10);
        assertThat(Money.billingStep(new BigDecimal("0.005"))).isEqualTo(2);
        assertThat(Money.billingStep(new BigDecimal("0.0125"))).isEqualTo(4);
        assertThat(Money.billingStep(new BigDecimal("0.000001"))).isEqualTo(10_000);
    }

    /** Checked by counting, not by the formula: the step is worth whole fen, and no fewer units are. */
    @Property(tries = 300)
    void noFewerUnitsThanTheStepAreWorthWholeFen(@ForAll @LongRange(min = 1, max = 1_000_000) long micros) {
        BigDecimal value = BigDecimal.valueOf(micros, 6).stripTrailingZeros();
        long step = Money.billingStep(value);
        assertThat(wholeFen(value.multiply(BigDecimal.valueOf(step)))).as(value + " × " + step).isTrue();
        for (long n = 1; n < step; n++) {
            assertThat(wholeFen(value.multiply(BigDecimal.valueOf(n)))).as(value + " × " + n).isFalse();
        }
    }

    @Test
    void amountsAreExactYuanWithTwoDecimalsAtLeast() {
        assertThat(Money.yuan(500, new BigDecimal("0.001")).toPlainString()).isEqualTo("0.50");
        assertThat(Money.yuan(375, new BigDecimal("0.01")).toPlainString()).isEqualTo("3.75");
        assertThat(Money.yuan(0, new BigDecimal("0.001")).toPlainString()).isEqualTo("0.00");
        assertThat(Money.yuan(3, new BigDecimal("0.0125")).toPlainString()).isEqualTo("0.0375");
    }

    @Test
    void aUnitValueIsAPositiveDecimalOfAtMostSixDecimals() {
        assertThat(Money.unitValue(" 0.001 ")).contains(new BigDecimal("0.001"));
        assertThat(Money.unitValue("0.0000001")).isEmpty();
        assertThat(Money.unitValue("0")).isEmpty();
        assertThat(Money.unitValue("-1")).isEmpty();
        assertThat(Money.unitValue("one fen")).isEmpty();
        assertThat(Money.unitValue(null)).isEmpty();
    }

    private static boolean wholeFen(BigDecimal yuan) {
        return yuan.movePointRight(2).stripTrailingZeros().scale() <= 0;
    }
}
