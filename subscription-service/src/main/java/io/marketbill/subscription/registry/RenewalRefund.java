package io.marketbill.subscription.registry;

import io.marketbill.contracts.SubscriptionChanged;
import java.time.Instant;

/**
 * What a refunded renewal does to the state (pure rule). Alibaba calls {@code refundRenewInstance} when a buyer
 * refunds a renewal that had not taken effect, with the expiry moved back ({@code expiredOn};
 * help.aliyun.com/zh/marketplace/refundrenewinstance). The call does not say which renewal it refunds, so: when a
 * renewal is what last unfroze the subscription (a renewal of a subscription frozen by {@code expiredInstance}) and
 * the expiry the refund moves back to has passed, the subscription is expired again and is frozen again. Otherwise
 * the refund only moves the expiry.
 */
final class RenewalRefund {

    static final String CHANGE = "RENEWAL_REFUNDED";
    /** The reason on the SubscriptionFrozen it causes. */
    static final String REASON = "RENEWAL_REFUNDED";

    private RenewalRefund() {
    }

    static boolean freezesAgain(SubscriptionChanged c, SubscriptionState state, boolean unfrozenByRenewal,
                                Instant at) {
        return CHANGE.equals(c.change()) && state == SubscriptionState.ACTIVE && unfrozenByRenewal
                && c.expiresAt() != null && !c.expiresAt().isAfter(at);
    }
}
