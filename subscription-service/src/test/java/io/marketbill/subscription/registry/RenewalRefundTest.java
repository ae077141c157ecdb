package io.marketbill.subscription.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.contracts.SubscriptionChanged;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RenewalRefundTest {

    static final Instant NOW = Instant.parse("2026-12-02T08:00:00Z");

    private static SubscriptionChanged refund(Instant expiresAt) {
        return new SubscriptionChanged("RENEWAL_REFUNDED", null, null, expiresAt, Map.of());
    }

    @Test
    void freezesAgainOnlyWhenARenewalUnfrozeItAndTheExpiryHasPassed() {
        Instant past = NOW.minusSeconds(60);
        assertThat(RenewalRefund.freezesAgain(refund(past), SubscriptionState.ACTIVE, true, NOW)).isTrue();
        assertThat(RenewalRefund.freezesAgain(refund(NOW), SubscriptionState.ACTIVE, true, NOW)).isTrue();
        assertThat(RenewalRefund.freezesAgain(refund(NOW.plusSeconds(60)), SubscriptionState.ACTIVE, true, NOW))
                .as("still paid for a while").isFalse();
        assertThat(RenewalRefund.freezesAgain(refund(past), SubscriptionState.ACTIVE, false, NOW))
                .as("no renewal unfroze it").isFalse();
        assertThat(RenewalRefund.freezesAgain(refund(past), SubscriptionState.CLOSED, true, NOW)).isFalse();
        assertThat(RenewalRefund.freezesAgain(refund(null), SubscriptionState.ACTIVE, true, NOW)).isFalse();
        assertThat(RenewalRefund.freezesAgain(new SubscriptionChanged("RENEWED", "o", null, past, Map.of()),
                SubscriptionState.ACTIVE, true, NOW)).isFalse();
    }
}
