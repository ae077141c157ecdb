package io.marketbill.subscription.registry;

/** Where a subscription is in its marketplace lifecycle. */
public enum SubscriptionState {
    ACTIVE,
    FROZEN,
    CLOSED
}
