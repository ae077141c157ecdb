package io.marketbill.contracts;

import java.time.Instant;

/**
 * A metering record could not be delivered before the marketplace's deadline; the marketplace will not
 * bill it. Operators must look at it (it stays in the ledger).
 *
 * @param ledgerId  our metering ledger record id
 * @param dimension the metered dimension
 * @param hourStart the hour it covers
 * @param units     the undelivered value, in 0.01-yuan units
 * @param deadline  when the marketplace stopped accepting it
 */
public record MeteringOverdue(long ledgerId, String dimension, Instant hourStart, long units, Instant deadline)
        implements BillingEvent {
}
