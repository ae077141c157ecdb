package io.marketbill.billing.balance;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/**
 * The two conservation laws, as pure checks (no Spring, no SQL).
 * <ul>
 *   <li><b>Quantity</b>, per subject, dimension and closed hour: every accepted micro-unit of usage went to exactly one
 *       place, so input + moved in = billed to subscriptions (reported, still pending, or refused by the marketplace
 *       and handed to the vendor) + not chargeable + handed to the vendor's billing + switch window. The switch window
 *       is usage of the hour held until its window ends, or moved to the hour of the subscription bound within the
 *       grace period, where it is "moved in".</li>
 *   <li><b>Money</b>, per subscription and dimension: what the billed usage cost at its prices, plus what was carried
 *       in, is what was charged plus what is carried on (carry_in + cost = units + carry_out, hour after hour), and
 *       every charged unit is in the metering ledger.</li>
 * </ul>
 */
final class BalanceRules {

    private BalanceRules() {
    }

    /** One subject's usage of one dimension in one closed hour, and where it went (micro-units). */
    record Bucket(String dimension, Instant hourStart, long input, long movedIn, long reported, long pending,
                  long refused, long notChargeable, Map<String, Long> vendorBilling, long switchWindow) {

        long vendorBillingTotal() {
            return vendorBilling.values().stream().mapToLong(Long::longValue).sum();
        }

        long attributed() {
            return reported + pending + refused + notChargeable + vendorBillingTotal() + switchWindow;
        }

        boolean balanced() {
            return input + movedIn == attributed();
        }
    }

    /** One subscription's rated hours of one dimension, summed (marketplace units, exact). */
    record Money(String subscriptionId, String dimension, BigDecimal firstCarryIn, BigDecimal cost, long units,
                 BigDecimal lastCarryOut, long ledgerUnits, boolean everyHourCosted) {

        /** Whether the hours telescope: carry in + cost = units + carry out, and the ledger holds every unit. */
        boolean balanced() {
            return everyHourCosted && firstCarryIn.add(cost).compareTo(BigDecimal.valueOf(units).add(lastCarryOut)) == 0
                    && units == ledgerUnits;
        }
    }
}
