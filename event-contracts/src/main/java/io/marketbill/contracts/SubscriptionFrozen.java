package io.marketbill.contracts;

import java.time.Instant;

/**
 * The marketplace suspended the subscription (Alibaba {@code expiredInstance}: expired or in arrears).
 *
 * @param reason    why, as the marketplace says: {@code EXPIRED}, {@code UNSUBSCRIBE_PENDING}, ...
 * @param expiredAt when the subscription expired, when the marketplace says so
 */
public record SubscriptionFrozen(String reason, Instant expiredAt) implements SubscriptionLifecycleEvent {
}
