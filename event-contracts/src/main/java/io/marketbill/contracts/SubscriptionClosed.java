package io.marketbill.contracts;

/**
 * The subscription ended on the marketplace (Alibaba {@code releaseInstance}, AWS {@code unsubscribe-success}).
 *
 * @param refund  the marketplace refunded the buyer (Alibaba {@code isRefund})
 * @param orderId the marketplace order, when there is one
 * @param reason  why, as the marketplace says: {@code RELEASED}, {@code UNSUBSCRIBED}, {@code SUBSCRIBE_FAILED}, ...
 */
public record SubscriptionClosed(boolean refund, String orderId, String reason) implements SubscriptionLifecycleEvent {
}
