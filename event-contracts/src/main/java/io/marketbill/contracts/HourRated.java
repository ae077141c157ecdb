package io.marketbill.contracts;

import java.time.Instant;

/**
 * One hour of one subscription and dimension was closed and rated.
 *
 * @param productCode  the marketplace product
 * @param dimension    the metered dimension (price catalog name, e.g. {@code cu_hours})
 * @param hourStart    the start of the hour, UTC
 * @param quantity     the usage in the dimension's unit of measure, a decimal string (e.g. {@code "12.5"})
 * @param units        what the hour costs, in the listing's marketplace units, after carrying the previous remainder
 * @param priceVersion the catalog price version used (its effective-from instant); when the plan changed within
 *                     the hour, each version with its SKU, e.g. {@code "2026-01-01T00:00:00Z (basic), ... (pro)"}
 * @param trial        a trial subscription: metered, rated at 0
 * @param amount       what the hour costs in yuan, exactly: units × the listing's unit value (e.g. {@code "0.50"});
 *                     null in events recorded before it was added
 */
public record HourRated(String productCode, String dimension, Instant hourStart, String quantity, long units,
                        String priceVersion, boolean trial, String amount) implements BillingEvent {
}
