package io.marketbill.subscription.registry;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code marketbill.expiry-guard.*}: when a freeze for expiry is taken for a replay ({@link ReplayedExpiry}).
 *
 * @param enabled   ignore an Alibaba expiry that comes while a renewal's paid term still runs (true). Whether a
 *                  pay-as-you-go instance's arrears payment moves {@code expiredOn} later is UNVERIFIED: if it does,
 *                  a later arrears freeze within that term is ignored too; false honours every expiry (and replays).
 * @param tolerance how much earlier than the renewed expiry a real expiry may come, for clock skew and the
 *                  marketplace's time zone (UNVERIFIED) (1h)
 */
@ConfigurationProperties("marketbill.expiry-guard")
public record ExpiryGuardProperties(Boolean enabled, Duration tolerance) {

    public ExpiryGuardProperties {
        enabled = enabled == null ? Boolean.TRUE : enabled;
        tolerance = tolerance == null ? Duration.ofHours(1) : tolerance;
    }
}
