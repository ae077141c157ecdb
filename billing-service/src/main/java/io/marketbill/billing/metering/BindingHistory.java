package io.marketbill.billing.metering;

import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.SubscriptionBound;
import io.marketbill.contracts.SubscriptionUnbound;
import io.marketbill.contracts.Topics;
import io.marketbill.messaging.inbox.InboundEvents;
import java.sql.Timestamp;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Keeps, from {@code binding.v1}, which subscription paid for each organization and when, so that usage of
 * an organization is charged to the subscription bound to it at the time of the usage (not at the time the
 * hour is rated).
 */
@Component
class BindingHistory {

    private final JdbcClient jdbc;
    private final InboundEvents inbound;

    BindingHistory(JdbcClient jdbc, InboundEvents inbound) {
        this.jdbc = jdbc;
        this.inbound = inbound;
    }

    @KafkaListener(topics = Topics.BINDING)
    void on(ConsumerRecord<String, String> record) {
        inbound.process(record, this::apply);
    }

    void apply(EventEnvelope e) {
        if (e.payload() instanceof SubscriptionBound b) {
            jdbc.sql("""
                    INSERT INTO binding_period (organization_id, subscription_id, bound_at)
                    SELECT :org, :sub, :at WHERE NOT EXISTS (SELECT 1 FROM binding_period
                        WHERE organization_id = :org AND subscription_id = :sub AND unbound_at IS NULL)""")
                    .param("org", b.organizationId()).param("sub", e.subscriptionId())
                    .param("at", Timestamp.from(e.occurredAt())).update();
        } else if (e.payload() instanceof SubscriptionUnbound u) {
            jdbc.sql("""
                    UPDATE binding_period SET unbound_at = GREATEST(bound_at, :at)
                    WHERE organization_id = :org AND subscription_id = :sub AND unbound_at IS NULL""")
                    .param("org", u.organizationId()).param("sub", e.subscriptionId())
                    .param("at", Timestamp.from(e.occurredAt())).update();
        }
    }
}
