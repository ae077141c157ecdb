package io.marketbill.binding.bindings;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How many wrong proofs (an account id that does not match, or an instance nobody bought, which answer the same) a
 * user, and an organization, may offer within a window before binding waits: the account-and-instance proof is two
 * identifiers, neither secret, so guessing must be slow (security review, finding 9). Counted from the audit, so
 * across replicas and restarts.
 *
 * @param perUser         wrong proofs one user may offer within the window
 * @param perOrganization wrong proofs offered for one organization, by all its admins together, within the window
 * @param window          how far back they count
 */
@ConfigurationProperties("marketbill.binding.attempts")
public record BindAttempts(@DefaultValue("10") int perUser, @DefaultValue("30") int perOrganization,
                           @DefaultValue("15m") Duration window) {

    /** Whether one more attempt must wait, given the wrong proofs already counted. */
    boolean exhausted(long byUser, long forOrganization) {
        return byUser >= perUser || forOrganization >= perOrganization;
    }
}
