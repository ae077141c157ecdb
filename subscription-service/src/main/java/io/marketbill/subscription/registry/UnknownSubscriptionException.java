package io.marketbill.subscription.registry;

/**
 * A lifecycle event for a subscription the registry never saw opened. Retried, then dead-lettered: an
 * operator replays it once the missing SubscriptionOpened has been applied.
 */
class UnknownSubscriptionException extends RuntimeException {
    UnknownSubscriptionException(String subscriptionId, String type) {
        super(type + " for unknown subscription " + subscriptionId + " (no SubscriptionOpened applied yet)");
    }
}
