package io.marketbill.subscription.agreements;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Which license each AWS agreement bought, as the License events say
 * (https://docs.aws.amazon.com/marketplace/latest/userguide/notifications-eventbridge.html, "Events for licenses":
 * {@code agreement.id}, {@code license.arn}, {@code acceptor.accountId}), so that "Purchase Agreement Ended", which
 * names only the agreement, can be matched to its subscription. Neither ResolveCustomer nor "Purchase Agreement
 * Created" names both. Recorded whether or not the buyer registered yet: the License event usually comes first.
 */
@Service
class AwsAgreements {

    /** An agreement, its license, and the state of the subscription of that license (null: not registered yet). */
    record Agreement(String agreementId, String subscriptionId, String licenseArn, String subscriptionState) {
    }

    private final JdbcClient jdbc;

    AwsAgreements(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records (or confirms) the agreement's license; the latest License event wins. */
    @Transactional
    Agreement record(String agreementId, String subscriptionId, String licenseArn, Instant at) {
        jdbc.sql("""
                INSERT INTO aws_agreement (agreement_id, subscription_id, license_arn, recorded_at)
                VALUES (:agreement, :subscription, :license, :at)
                ON CONFLICT (agreement_id) DO UPDATE SET subscription_id = EXCLUDED.subscription_id,
                    license_arn = EXCLUDED.license_arn, recorded_at = EXCLUDED.recorded_at""")
                .param("agreement", agreementId).param("subscription", subscriptionId).param("license", licenseArn)
                .param("at", Timestamp.from(at))
                .update();
        return find(agreementId).orElseThrow();
    }

    Optional<Agreement> find(String agreementId) {
        return jdbc.sql("""
                SELECT a.agreement_id, a.subscription_id, a.license_arn, s.state
                FROM aws_agreement a LEFT JOIN subscription s ON s.id = a.subscription_id
                WHERE a.agreement_id = :agreement""")
                .param("agreement", agreementId)
                .query((rs, i) -> new Agreement(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                .optional();
    }
}
