package io.marketbill.contracts;

import java.time.Instant;

/**
 * Events billing-service publishes on {@code billing.v1}, keyed by the subscription id (a UsageForVendorBilling of
 * an organization no subscription paid for: by the organization id).
 */
public sealed interface BillingEvent extends EventPayload permits HourRated, MeteringReported, MeteringRejected,
        MeteringOverdue, UsageForVendorBilling {

    /** The metered dimension, as named in the price catalog. */
    String dimension();

    /** The start of the hour (UTC) the event is about. */
    Instant hourStart();
}
