package io.marketbill.contracts;

import java.time.Instant;
import java.util.Map;

/**
 * The subscription changed without changing state: renewed while active, upgraded, refunded renewal,
 * entitlement updated.
 *
 * @param change        what changed: {@code RENEWED}, {@code UPGRADED}, {@code RENEWAL_REFUNDED},
 *                      {@code ENTITLEMENT_UPDATED}
 * @param orderId       the marketplace order that caused it, when there is one
 * @param skuId         the new SKU, when it changed
 * @param expiresAt     the new expiry, when it changed
 * @param billableItems the new extra billable items, when they changed
 */
public record SubscriptionChanged(
        String change,
        String orderId,
        String skuId,
        Instant expiresAt,
        Map<String, String> billableItems) implements SubscriptionLifecycleEvent {

    public SubscriptionChanged {
        billableItems = billableItems == null ? Map.of() : Map.copyOf(billableItems);
    }
}
