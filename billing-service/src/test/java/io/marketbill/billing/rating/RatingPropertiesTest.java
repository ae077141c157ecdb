package io.marketbill.billing.rating;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RatingPropertiesTest {

    /**
     * Over any run of hours, charged units plus what is still carried equal quantity × price exactly, every charge is a
     * whole number of steps, and the charge is never a whole step behind.
     */
    @Property(tries = 1000)
    void nothingIsLostOrRoundedAway(@ForAll @Size(min = 1, max = 200) List<@LongRange(min = 0, max = 5_000_000_000L) Long> hours,
                                    @ForAll("prices") BigDecimal price, @ForAll("steps") long step) {
        BigDecimal carry = BigDecimal.ZERO;
        long charged = 0;
        BigDecimal exact = BigDecimal.ZERO;
        for (long micros : hours) {
            Rating.Rated r = Rating.rate(micros, price, carry, step, false);
            assertThat(r.units()).isNotNegative();
            assertThat(r.units() % step).as("whole steps only").isZero();
            assertThat(r.carry()).isGreaterThanOrEqualTo(BigDecimal.ZERO).isLessThan(BigDecimal.valueOf(step));
            charged = Math.addExact(charged, r.units());
            carry = r.carry();
            exact = exact.add(BigDecimal.valueOf(micros, 6).multiply(price));
        }
        assertThat(BigDecimal.valueOf(charged).add(carry)).isEqualByComparingTo(exact);
        assertThat(exact.subtract(BigDecimal.valueOf(charged))).isLessThan(BigDecimal.valueOf(step));
    }

    /** Splitting the same usage over more hours never changes the total. */
    @Property(tries = 500)
    void theTotalDoesNotDependOnHowUsageIsSpreadOverHours(@ForAll @Size(min = 1, max = 50) List<@LongRange(min = 0, max = 10_000_000L) Long> hours,
                                                          @ForAll("prices") BigDecimal price, @ForAll("steps") long step) {
        long total = hours.stream().mapToLong(Long::longValue).sum();
        long inOneHour = Rating.rate(total, price, BigDecimal.ZERO, step, false).units();
        BigDecimal carry = BigDecimal.ZERO;
        long spread = 0;
        for (long micros : hours) {
            Rating.Rated r = Rating.rate(micros, price, carry, step, false);
            spread += r.units();
            carry = r.carry();
        }
        assertThat(spread).isEqualTo(inOneHour);
    }

    @Property(tries = 200)
    void zeroRatedHoursChargeNothingAndKeepTheirCarry(@ForAll @LongRange(min = 0, max = 5_000_000_000L) long micros,
                                                      @ForAll("prices") BigDecimal price) {
        Rating.Rated r = Rating.rate(micros, price, new BigDecimal("0.25"), 10, true);
        assertThat(r.units()).isZero();
        assertThat(r.carry()).isEqualByComparingTo("0.25");
    }

    @Test
    void zillizChargesWholeFenOfItsThousandthYuanUnits() {
        // seed 001: 1 CU-hour = 1250 units = ¥1.25; at ¥0.001 a unit the marketplace bills whole fen, 10 units each
        assertThat(Rating.rate(1_000_000, new BigDecimal("1250"), BigDecimal.ZERO, 10, false).units()).isEqualTo(1250);
        assertThat(Rating.rate(400_000, new BigDecimal("1250"), BigDecimal.ZERO, 10, false).units()).isEqualTo(500);
        // 1.5004 CU-hours = 1875.5 units: 1870 charged (¥1.87), 5.5 carried instead of being cut off at the marketplace
        Rating.Rated r = Rating.rate(1_500_400, new BigDecimal("1250"), BigDecimal.ZERO, 10, false);
        assertThat(r.units()).isEqualTo(1870);
        assertThat(r.carry()).isEqualByComparingTo("5.5");
        assertThat(Rating.rate(400_000, new BigDecimal("1250"), r.carry(), 10, false).units()).isEqualTo(500);
    }

    @Test
    void tinyCallsAddUpInsteadOfVanishing() {
        // ¥0.001 per call at ¥0.01 a unit = 0.1 unit: 9 calls in an hour charge nothing yet, but the 0.9 is carried ...
        Rating.Rated first = Rating.rate(9_000_000, new BigDecimal("0.1"), BigDecimal.ZERO, 1, false);
        assertThat(first.units()).isZero();
        assertThat(first.carry()).isEqualByComparingTo("0.9");
        // ... and one more call next hour makes a whole ¥0.01
        assertThat(Rating.rate(1_000_000, new BigDecimal("0.1"), first.carry(), 1, false).units()).isEqualTo(1);
    }

    @Provide
    Arbitrary<BigDecimal> prices() {
        return Arbitraries.longs().between(0, 100_000_000_000L).map(v -> BigDecimal.valueOf(v, 6));
    }

    @Provide
    Arbitrary<Long> steps() {
        return Arbitraries.of(1L, 2L, 4L, 10L, 100L);
    }
}
