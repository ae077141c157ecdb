package io.marketbill.subscription.registry;

import io.marketbill.contracts.SubscriptionFrozen;
import java.time.Instant;

/**
 * When an expiry is a replay (pure rule). Alibaba's {@code expiredInstance} carries nothing but the instance id and a
 * token over it (https://help.aliyun.com/document_detail/159858.htm), so one captured call, replayed after the buyer
 * renewed, looks exactly like the next real expiry. Time tells them apart: a renewal that moved the expiry later
 * (https://help.aliyun.com/document_detail/147367.htm, {@code expiredOn}) paid for the subscription until then, so an
 * expiry claimed well before that is a replay, and changes nothing. A renewal that did not move the expiry (a
 * pay-as-you-go instance paying its arrears may be one) guards nothing, so a later arrears freeze still applies.
 */
final class ReplayedExpiry {

    static final String REASON = "EXPIRED";

    private ReplayedExpiry() {
    }

    /**
     * @param renewedUntil the expiry the last renewal moved the subscription to; null when none did since the last
     *                     refund or close
     */
    static boolean ignores(SubscriptionFrozen frozen, Instant renewedUntil, Instant at, ExpiryGuardProperties guard) {
        return guard.enabled() && REASON.equals(frozen.reason()) && renewedUntil != null
                && renewedUntil.isAfter(at.plus(guard.tolerance()));
    }

    /** Whether a renewal to {@code renewedTo} moves the expiry later than {@code before} (null: none known). */
    static boolean movesExpiryLater(Instant before, Instant renewedTo) {
        return renewedTo != null && (before == null || renewedTo.isAfter(before));
    }
}
