package io.marketbill.contracts;

/** The lifecycle of a marketplace subscription, as published on {@link Topics#MARKETPLACE_SUBSCRIPTIONS}. */
public sealed interface SubscriptionLifecycleEvent extends EventPayload
        permits SubscriptionOpened, SubscriptionChanged, SubscriptionFrozen, SubscriptionResumed, SubscriptionClosed {
}
