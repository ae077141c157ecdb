package io.marketbill.contracts;

import java.time.Instant;

/**
 * The marketplace accepted one metering record.
 *
 * @param ledgerId            our metering ledger record id
 * @param dimension           the metered dimension
 * @param hourStart           the hour it covers
 * @param units               the reported value, in the listing's marketplace units
 * @param marketplaceRecordId the marketplace's reference (AWS MeteringRecordId, Alibaba RequestId)
 * @param amount              the reported value in yuan, exactly (null in events recorded before it was added)
 */
public record MeteringReported(long ledgerId, String dimension, Instant hourStart, long units,
                               String marketplaceRecordId, String amount) implements BillingEvent {
}
