package io.marketbill.contracts;

import java.time.Instant;

/**
 * The marketplace refused one metering record for good; it will not be sent again.
 *
 * @param ledgerId  our metering ledger record id
 * @param dimension the metered dimension
 * @param hourStart the hour it covers
 * @param units     the value that was refused, in the listing's marketplace units
 * @param reason    the marketplace's code, e.g. {@code CustomerNotSubscribed}, {@code DuplicateRecord},
 *                  {@code Invalid.Parameter.Metering}
 * @param amount    the refused value in yuan, exactly (null in events recorded before it was added)
 */
public record MeteringRejected(long ledgerId, String dimension, Instant hourStart, long units, String reason,
                               String amount) implements BillingEvent {
}
