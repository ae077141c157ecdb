package io.marketbill.contracts;

import java.time.Instant;

/**
 * Usage no marketplace will bill, handed to the vendor's own billing: every accepted unit of usage ends reported to a
 * marketplace, explicitly not chargeable, or here. One per subject (organization or subscription), dimension, hour,
 * reason and cloud. Keyed by the subscription id when there is one, else by the organization id.
 *
 * @param organizationId the organization that used it; null for usage addressed to a subscription
 * @param subscriptionId the subscription it was addressed or attributed to; null when none was bound
 * @param dimension      the dimension, as the vendor's platform reported it
 * @param hourStart      the hour (its UTC start)
 * @param quantity       the exact quantity, a decimal string in the dimension's unit (e.g. {@code "0.4"})
 * @param amount         what it is worth in yuan at the listing's price, exactly; null when no price applies (no
 *                       product is known for the organization, or the dimension is not priced)
 * @param reason         why no marketplace bills it: {@code UNBOUND} (no subscription bound), {@code PAUSED}
 *                       (frozen), {@code ENDED} (after a close), {@code NOT_OPEN}, {@code UNKNOWN_SUBSCRIPTION},
 *                       {@code UNKNOWN_DIMENSION}, {@code NOT_METERED}, {@code NO_PRICE}, {@code AFTER_FINAL_FLUSH}
 *                       (after the last hour was reported), {@code SWITCH_WINDOW} (between a close and the end of
 *                       the switch grace period, with no other subscription bound within it),
 *                       {@code MARKETPLACE_REFUSED} (refused for good),
 *                       {@code OVERDUE} (not delivered before the marketplace's deadline)
 * @param cloud          where the resource ran, as its usage said ({@code aws}, ...); null when it did not say, and
 *                       for a marketplace record refused or overdue (which sums every cloud's usage)
 */
public record UsageForVendorBilling(String organizationId, String subscriptionId, String dimension,
                                    Instant hourStart, String quantity, String amount, String reason, String cloud)
        implements BillingEvent {
}
