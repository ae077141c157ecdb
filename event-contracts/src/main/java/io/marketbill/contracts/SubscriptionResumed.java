package io.marketbill.contracts;

import java.time.Instant;

/**
 * A frozen subscription is active again (Alibaba {@code renewInstance} after arrears were paid).
 *
 * @param orderId   the marketplace order that paid it, when there is one
 * @param expiresAt the new expiry, when the marketplace says so
 */
public record SubscriptionResumed(String orderId, Instant expiresAt) implements SubscriptionLifecycleEvent {
}
