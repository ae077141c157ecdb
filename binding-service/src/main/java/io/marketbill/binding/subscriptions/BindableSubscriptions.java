package io.marketbill.binding.subscriptions;

import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.SubscriptionChanged;
import io.marketbill.contracts.SubscriptionClosed;
import io.marketbill.contracts.SubscriptionFrozen;
import io.marketbill.contracts.SubscriptionLifecycleEvent;
import io.marketbill.contracts.SubscriptionOpened;
import io.marketbill.contracts.SubscriptionResumed;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The subscriptions binding-service may bind, from {@code marketplace.subscriptions.v1}: opened ones are bindable,
 * frozen ones stay bound but frozen, closed ones can no longer be bound.
 */
@Component
public class BindableSubscriptions {

    /** What binding-service knows of one subscription. */
    public record BindableSubscription(String subscriptionId, String marketplace, String productCode,
                                String marketplaceAccountId, boolean trial, String status, boolean bindable,
                                Instant openedAt, Instant closedAt) {
    }

    private final JdbcClient jdbc;

    BindableSubscriptions(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Updates the projection; inside the consumer's transaction. */
    public void apply(EventEnvelope e) {
        Timestamp at = Timestamp.from(e.occurredAt());
        // only lifecycle events belong on this topic: another payload (a wrong producer) is ignored, as it always was
        if (!(e.payload() instanceof SubscriptionLifecycleEvent event)) {
            return;
        }
        switch (event) {
            case SubscriptionOpened o -> jdbc.sql("""
                    INSERT INTO bindable_subscription (subscription_id, marketplace, product_code, marketplace_account_id,
                        trial, status, opened_at, updated_at)
                    VALUES (:id, :marketplace, :product, :account, :trial, 'OPEN', :at, :at)
                    ON CONFLICT (subscription_id) DO UPDATE SET status = 'OPEN', recorded_at = clock_timestamp(),
                        product_code = EXCLUDED.product_code,
                        marketplace_account_id = EXCLUDED.marketplace_account_id, trial = EXCLUDED.trial,
                        closed_at = NULL, updated_at = EXCLUDED.updated_at""")
                    .param("id", e.subscriptionId()).param("marketplace", e.marketplace())
                    .param("product", o.productCode()).param("account", o.marketplaceAccountId())
                    .param("trial", o.trial()).param("at", at).update();
            case SubscriptionFrozen _ -> status(e, "FROZEN", "status = 'OPEN'");
            case SubscriptionResumed _ -> status(e, "OPEN", "status = 'FROZEN'");
            case SubscriptionClosed _ -> {
                jdbc.sql("UPDATE bindable_subscription SET status = 'CLOSED', closed_at = :at, updated_at = :at "
                        + "WHERE subscription_id = :id AND status <> 'CLOSED'")
                        .param("id", e.subscriptionId()).param("at", at).update();
            }
            // what it changes (SKU, expiry, items) is not in this projection; bindable or not stays as it was
            case SubscriptionChanged _ -> { }
        }
    }

    private void status(EventEnvelope e, String to, String onlyIf) {
        jdbc.sql("UPDATE bindable_subscription SET status = :to, updated_at = :at WHERE subscription_id = :id AND "
                        + onlyIf)
                .param("id", e.subscriptionId()).param("to", to).param("at", Timestamp.from(e.occurredAt())).update();
    }

    /** One subscription waiting to be bound, with when binding-service recorded it. */
    public record Pending(String subscriptionId, String productCode, String marketplaceAccountId, Instant recordedAt) {
    }

    /**
     * Open subscriptions that no organization pays through yet, recorded at or after {@code since}, oldest first: what
     * is waiting for a buyer to bind it.
     */
    public List<Pending> pending(Instant since, int limit) {
        return jdbc.sql("""
                SELECT s.subscription_id, s.product_code, s.marketplace_account_id, s.recorded_at
                FROM bindable_subscription s
                WHERE s.status = 'OPEN' AND s.recorded_at >= :since
                  AND NOT EXISTS (SELECT 1 FROM binding b WHERE b.subscription_id = s.subscription_id
                                  AND b.unbound_at IS NULL)
                ORDER BY s.recorded_at LIMIT :limit""")
                .param("since", Timestamp.from(since)).param("limit", Math.max(1, Math.min(limit, 5000)))
                .query((rs, i) -> new Pending(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getTimestamp(4).toInstant()))
                .list();
    }

    public Optional<BindableSubscription> find(String id) {
        return find(id, "");
    }

    /** The subscription, locked until the caller's transaction ends (one binding decision at a time). */
    public Optional<BindableSubscription> findForUpdate(String id) {
        return find(id, " FOR UPDATE");
    }

    private Optional<BindableSubscription> find(String id, String lock) {
        return jdbc.sql("SELECT * FROM bindable_subscription WHERE subscription_id = :id" + lock).param("id", id)
                .query((rs, i) -> new BindableSubscription(rs.getString("subscription_id"), rs.getString("marketplace"),
                        rs.getString("product_code"), rs.getString("marketplace_account_id"), rs.getBoolean("trial"),
                        rs.getString("status"), rs.getString("status").equals("OPEN"),
                        rs.getTimestamp("opened_at").toInstant(),
                        rs.getTimestamp("closed_at") == null ? null : rs.getTimestamp("closed_at").toInstant()))
                .optional();
    }
}
