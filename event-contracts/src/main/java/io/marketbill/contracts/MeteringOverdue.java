package io.marketbill.contracts;

import java.time.Instant;

/**
 * A metering record could not be delivered before the marketplace's deadline; the marketplace will not
 * bill it. Operators must look at it (it stays in the ledger).
 *
 * @param ledgerId  our metering ledger record id
 * @param dimension the metered dimension
 * @param hourStart the hour it covers
 * @param units     the undelivered value, in the listing's marketplace units
 * @param deadline  when the marketplace stopped accepting it
 * @param amount    the undelivered value in yuan, exactly (null in events recorded before it was added)
 */
public record MeteringOverdue(long ledgerId, String dimension, Instant hourStart, long units, Instant deadline,
                              String amount) implements BillingEvent {
}
