package io.marketbill.notification.changes;

import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.SubscriptionChanged;
import io.marketbill.contracts.SubscriptionClosed;
import io.marketbill.contracts.SubscriptionFrozen;
import io.marketbill.contracts.SubscriptionLifecycleEvent;
import io.marketbill.contracts.SubscriptionOpened;
import io.marketbill.contracts.SubscriptionResumed;
import io.marketbill.contracts.Topics;
import io.marketbill.messaging.inbox.InboundEvents;
import java.sql.Timestamp;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * Records each billing change users must hear of (R19), once, with what it is about, and plans its mails
 * ({@code MailPlanner}) in the same transaction.
 */
@RestController
class BillingChanges {

    private final JdbcClient jdbc;
    private final InboundEvents inbound;
    private final io.marketbill.notification.mail.MailPlanner planner;

    BillingChanges(JdbcClient jdbc, InboundEvents inbound, io.marketbill.notification.mail.MailPlanner planner) {
        this.jdbc = jdbc;
        this.inbound = inbound;
        this.planner = planner;
    }

    @KafkaListener(topics = Topics.MARKETPLACE_SUBSCRIPTIONS)
    void on(ConsumerRecord<String, String> record) {
        inbound.process(record, e -> {
            record(e);
            planner.plan(e);
        });
    }

    /** What binding-service decided and billing-service could not deliver: each is mail to someone. */
    @KafkaListener(topics = {Topics.BINDING, Topics.BILLING})
    void onDecision(ConsumerRecord<String, String> record) {
        inbound.process(record, planner::plan);
    }

    void record(EventEnvelope e) {
        // only lifecycle events belong on this topic: another payload (a wrong producer) is ignored, as it always was
        if (!(e.payload() instanceof SubscriptionLifecycleEvent event)) {
            return;
        }
        String change;
        String product = null;
        switch (event) {
            case SubscriptionOpened o -> {
                change = "CHANNEL_OPENED";
                product = o.productCode();
            }
            case SubscriptionFrozen _ -> change = "FROZEN";
            case SubscriptionResumed _ -> change = "RESUMED";
            case SubscriptionClosed _ -> change = "CHANNEL_CLOSED";
            case SubscriptionChanged c -> change = "CHANGED_" + c.change();
        }
        jdbc.sql("""
                INSERT INTO billing_change (event_id, subscription_id, product_code, change, occurred_at)
                VALUES (:eventId, :id, :product, :change, :at) ON CONFLICT (event_id) DO NOTHING""")
                .param("eventId", e.eventId()).param("id", e.subscriptionId()).param("product", product)
                .param("change", change).param("at", Timestamp.from(e.occurredAt())).update();
    }

    @GetMapping("/api/notifications/subscriptions/{id}/changes")
    Map<String, Object> changes(@PathVariable String id) {
        return Map.of("subscriptionId", id, "changes", jdbc.sql("""
                        SELECT event_id, change, product_code, occurred_at FROM billing_change
                        WHERE subscription_id = :id ORDER BY occurred_at, recorded_at""")
                .param("id", id)
                .query((rs, i) -> {
                    Map<String, Object> row = new java.util.LinkedHashMap<>();
                    row.put("eventId", rs.getString(1));
                    row.put("change", rs.getString(2));
                    row.put("productCode", rs.getString(3));
                    row.put("occurredAt", rs.getTimestamp(4).toInstant());
                    return row;
                }).list());
    }
}
