package io.marketbill.binding.bindings;

import io.marketbill.binding.directory.Directory;
import io.marketbill.contracts.BindingEvent;
import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.OrganizationBilling;
import io.marketbill.messaging.outbox.Outbox;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The one way binding-service says something about an organization: the event goes to the outbox and is folded
 * into the organization's record, in the caller's transaction.
 */
@Component
class OrganizationEvents {

    static final String PRODUCER = "binding-service";

    private final JdbcClient jdbc;
    private final Outbox outbox;

    OrganizationEvents(JdbcClient jdbc, Outbox outbox) {
        this.jdbc = jdbc;
        this.outbox = outbox;
    }

    /**
     * How the organization pays now, its row locked until the transaction ends (decisions about it are taken one
     * at a time).
     */
    OrganizationBilling billing(String organizationId) {
        return jdbc.sql("SELECT * FROM organization WHERE organization_id = :org FOR UPDATE")
                .param("org", organizationId).query((rs, i) -> Directory.billing(rs)).optional()
                .orElse(OrganizationBilling.INITIAL);
    }

    /**
     * Appends the event to the outbox and folds it into the organization's record: the record is the fold of the
     * events emitted about the organization ({@link OrganizationBilling}), and nothing else writes it, so it says
     * what billing-service's overview says once it has read them.
     */
    void emit(String subscriptionId, Instant at, BindingEvent event) {
        EventEnvelope envelope = EventEnvelope.of(UUID.randomUUID(), at, PRODUCER, subscriptionId, event);
        outbox.append(envelope);
        OrganizationBilling b = billing(event.organizationId()).apply(envelope, event);
        jdbc.sql("""
                UPDATE organization SET billing_channel = :channel, billing_marketplace = :marketplace,
                    billing_account_id = :account, billing_subscription_id = :sub, frozen = :frozen,
                    deployments_stopped = :stopped, deployments_delete_at = :deleteAt,
                    last_bound_subscription_id = :lastSub, last_bound_at = :lastAt, updated_at = :at
                WHERE organization_id = :org""")
                .param("org", event.organizationId()).param("channel", b.channel())
                .param("marketplace", b.marketplace()).param("account", b.marketplaceAccountId())
                .param("sub", b.subscriptionId()).param("frozen", b.frozen()).param("stopped", b.deploymentsStopped())
                .param("deleteAt", timestamp(b.deploymentsDeleteAt()))
                .param("lastSub", b.lastBoundSubscriptionId()).param("lastAt", timestamp(b.lastBoundAt()))
                .param("at", Timestamp.from(at)).update();
    }

    static Timestamp timestamp(Instant at) {
        return at == null ? null : Timestamp.from(at);
    }
}
