package io.marketbill.billing.metering;

import io.marketbill.contracts.BillingChannelChanged;
import io.marketbill.contracts.BindingEvent;
import io.marketbill.contracts.DeploymentsDeletionScheduled;
import io.marketbill.contracts.DeploymentsStopRequested;
import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.OrgFrozen;
import io.marketbill.contracts.OrgUnfrozen;
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
 * hour is rated); and how each organization pays now, folded as binding-service folds it for its record.
 */
@Component
class BindingHistory {

    private final JdbcClient jdbc;
    private final InboundEvents inbound;
    private final OrganizationBillingStore organizations;

    BindingHistory(JdbcClient jdbc, InboundEvents inbound, OrganizationBillingStore organizations) {
        this.jdbc = jdbc;
        this.inbound = inbound;
        this.organizations = organizations;
    }

    @KafkaListener(topics = Topics.BINDING)
    void on(ConsumerRecord<String, String> record) {
        inbound.process(record, this::apply);
    }

    void apply(EventEnvelope e) {
        // only binding events belong on this topic: another payload (a wrong producer) is ignored, as it always was
        if (!(e.payload() instanceof BindingEvent event)) {
            return;
        }
        String org = event.organizationId();
        organizations.save(org, organizations.findForUpdate(org, e.occurredAt()).apply(e, event), e.occurredAt());
        switch (event) {
            case SubscriptionBound b -> jdbc.sql("""
                    INSERT INTO binding_period (organization_id, subscription_id, bound_at)
                    SELECT :org, :sub, :at WHERE NOT EXISTS (SELECT 1 FROM binding_period
                        WHERE organization_id = :org AND subscription_id = :sub AND unbound_at IS NULL)""")
                    .param("org", b.organizationId()).param("sub", e.subscriptionId())
                    .param("at", Timestamp.from(e.occurredAt())).update();
            case SubscriptionUnbound u -> jdbc.sql("""
                    UPDATE binding_period SET unbound_at = GREATEST(bound_at, :at)
                    WHERE organization_id = :org AND subscription_id = :sub AND unbound_at IS NULL""")
                    .param("org", u.organizationId()).param("sub", e.subscriptionId())
                    .param("at", Timestamp.from(e.occurredAt())).update();
            // which subscription pays for the organization does not change with these
            case OrgFrozen _, OrgUnfrozen _, DeploymentsStopRequested _, DeploymentsDeletionScheduled _,
                 BillingChannelChanged _ -> { }
        }
    }
}
