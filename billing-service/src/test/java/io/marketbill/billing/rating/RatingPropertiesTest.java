package io.marketbill.billing.rating;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RatingPropertiesTest {

    /** Over any run of hours, charged units plus what is still carried equal quantity × price exactly. */
    @Property(tries = 1000)
    void nothingIsLostOrRoundedAway(@ForAll @Size(min = 1, max = 200) List<@net.jqwik.api.constraints.LongRange(min = 0, max = 5_000_000_000L) Long> hours,
                                    @ForAll("prices") BigDecimal price) {
        BigDecimal carry = BigDecimal.ZERO;
        long charged = 0;
        BigDecimal exact = BigDecimal.ZERO;
        for (long micros : hours) {
            Rating.Rated r = Rating.rate(micros, price, carry, false);
            assertThat(r.units()).isNotNegative();
            assertThat(r.carry()).isGreaterThanOrEqualTo(BigDecimal.ZERO).isLessThan(BigDecimal.ONE);
            charged = Math.addExact(charged, r.units());
            carry = r.carry();
            exact = exact.add(BigDecimal.valueOf(micros, 6).multiply(price));
        }
        assertThat(BigDecimal.valueOf(charged).add(carry)).isEqualByComparingTo(exact);
        // and never more than one unit behind the exact amount
        assertThat(exact.subtract(BigDecimal.valueOf(charged))).isLessThan(BigDecimal.ONE);
    }

    /** Splitting the same usage over more hours never changes the total by a whole unit or more. */
    @Property(tries = 500)
    void theTotalDoesNotDependOnHowUsageIsSpreadOverHours(@ForAll @Size(min = 1, max = 50) List<@net.jqwik.api.constraints.LongRange(min = 0, max = 10_000_000L) Long> hours,
                                                          @ForAll("prices") BigDecimal price) {
        long total = hours.stream().mapToLong(Long::longValue).sum();
        long inOneHour = Rating.rate(total, price, BigDecimal.ZERO, false).units();
        BigDecimal carry = BigDecimal.ZERO;
        long spread = 0;
        for (long micros : hours) {
            Rating.Rated r = Rating.rate(micros, price, carry, false);
            spread += r.units();
            carry = r.carry();
        }
        assertThat(spread).isEqualTo(inOneHour);
    }

    @Property(tries = 200)
    void trialsAreRatedAtZeroAndKeepTheirCarry(@ForAll @net.jqwik.api.constraints.LongRange(min = 0, max = 5_000_000_000L) long micros,
                                               @ForAll("prices") BigDecimal price) {
        Rating.Rated r = Rating.rate(micros, price, new BigDecimal("0.25"), true);
        assertThat(r.units()).isZero();
        assertThat(r.carry()).isEqualByComparingTo("0.25");
    }

    @Test
    void aCuHourIs1250UnitsAndTinyCallsAddUpInsteadOfVanishing() {
        assertThat(Rating.rate(1_000_000, new BigDecimal("1250"), BigDecimal.ZERO, false).units()).isEqualTo(1250);
        // ¥0.001 per call = 0.1 unit: 9 calls in an hour charge nothing yet, but the 0.9 is carried ...
        Rating.Rated first = Rating.rate(9_000_000, new BigDecimal("0.1"), BigDecimal.ZERO, false);
        assertThat(first.units()).isZero();
        assertThat(first.carry()).isEqualByComparingTo("0.9");
        // ... and one more call next hour makes a whole ¥0.01
        assertThat(Rating.rate(1_000_000, new BigDecimal("0.1"), first.carry(), false).units()).isEqualTo(1);
    }

    @Provide
    Arbitrary<BigDecimal> prices() {
        return Arbitraries.longs().between(0, 100_000_000_000L).map(v -> BigDecimal.valueOf(v, 6));
    }
}
