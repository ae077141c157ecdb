package io.marketbill.billing.metering;

import io.marketbill.contracts.BillingChannelChanged;
import io.marketbill.contracts.BindingEvent;
import io.marketbill.contracts.DeploymentsDeletionCancelled;
import io.marketbill.contracts.DeploymentsDeletionReminder;
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
 * hour is rated); the switch windows (from a close until another subscription is bound within the grace period,
 * or the close action ends it), whose usage is held until it is known who pays for it; and how each organization
 * pays now, folded as binding-service folds it for its record.
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
        Timestamp at = Timestamp.from(e.occurredAt());
        switch (event) {
            case SubscriptionBound b -> {
                jdbc.sql("""
                        INSERT INTO binding_period (organization_id, subscription_id, bound_at)
                        SELECT :org, :sub, :at WHERE NOT EXISTS (SELECT 1 FROM binding_period
                            WHERE organization_id = :org AND subscription_id = :sub AND unbound_at IS NULL)""")
                        .param("org", org).param("sub", e.subscriptionId()).param("at", at).update();
                if (b.previousSubscriptionId() != null) {
                    // bound within the closed one's switch grace period (binding-service names it only then); its
                    // close may not have been read yet: it is on the closed subscription's partition
                    jdbc.sql("""
                            INSERT INTO switch_window (organization_id, closed_subscription_id, resolved_at, switched_to)
                            VALUES (:org, :closed, :at, :sub)
                            ON CONFLICT (organization_id, closed_subscription_id) DO UPDATE
                                SET resolved_at = EXCLUDED.resolved_at, switched_to = EXCLUDED.switched_to
                                WHERE switch_window.resolved_at IS NULL""")
                            .param("org", org).param("closed", b.previousSubscriptionId()).param("at", at)
                            .param("sub", e.subscriptionId()).update();
                }
            }
            case SubscriptionUnbound u -> {
                jdbc.sql("""
                        UPDATE binding_period SET unbound_at = GREATEST(bound_at, :at)
                        WHERE organization_id = :org AND subscription_id = :sub AND unbound_at IS NULL""")
                        .param("org", org).param("sub", e.subscriptionId()).param("at", at).update();
                if ("SUBSCRIPTION_CLOSED".equals(u.reason())) {
                    jdbc.sql("""
                            INSERT INTO switch_window (organization_id, closed_subscription_id, opened_at)
                            VALUES (:org, :closed, :at)
                            ON CONFLICT (organization_id, closed_subscription_id) DO UPDATE SET opened_at = EXCLUDED.opened_at""")
                            .param("org", org).param("closed", e.subscriptionId()).param("at", at).update();
                }
            }
            // the close action ran: the grace period ended with no subscription bound within it
            case DeploymentsStopRequested _, OrgFrozen _ -> endWindow(org, e.subscriptionId(), at);
            case BillingChannelChanged c -> {
                if (!"MARKETPLACE".equals(c.channel())) {
                    endWindow(org, e.subscriptionId(), at);
                }
            }
            // which subscription pays for the organization does not change with these
            case OrgUnfrozen _, DeploymentsDeletionScheduled _, DeploymentsDeletionReminder _,
                 DeploymentsDeletionCancelled _ -> { }
        }
    }

    /** Ends the switch window that followed this subscription's close, if one is open (a freeze while bound is not). */
    private void endWindow(String org, String closedSubscriptionId, Timestamp at) {
        jdbc.sql("""
                UPDATE switch_window SET resolved_at = :at
                WHERE organization_id = :org AND closed_subscription_id = :closed AND resolved_at IS NULL
                    AND opened_at IS NOT NULL""")
                .param("org", org).param("closed", closedSubscriptionId).param("at", at).update();
    }
}
