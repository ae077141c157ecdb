package io.marketbill.subscription.registry;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A marketplace subscription as the registry knows it, with its history, oldest first. */
public record Subscription(
        String id,
        String marketplace,
        String productCode,
        String skuId,
        boolean trial,
        String marketplaceAccountId,
        String orderId,
        String customerIdentifier,
        String licenseArn,
        Map<String, String> billableItems,
        SubscriptionState state,
        Instant expiresAt,
        Instant openedAt,
        Instant frozenAt,
        Instant closedAt,
        Instant updatedAt,
        List<HistoryEntry> history) {

    /** One applied lifecycle event; {@code details} is the event's payload, as JSON. */
    public record HistoryEntry(String eventId, String type, Instant occurredAt, Instant recordedAt,
                               SubscriptionState stateAfter,
                               @com.fasterxml.jackson.annotation.JsonRawValue String details) {
    }
}
