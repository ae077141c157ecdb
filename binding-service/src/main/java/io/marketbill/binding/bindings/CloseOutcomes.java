package io.marketbill.binding.bindings;

import io.marketbill.contracts.BillingChannelChanged;
import io.marketbill.contracts.DeploymentsDeletionCancelled;
import io.marketbill.contracts.DeploymentsDeletionReminder;
import io.marketbill.contracts.DeploymentsDeletionScheduled;
import io.marketbill.contracts.DeploymentsStopRequested;
import io.marketbill.contracts.OrgFrozen;
import io.marketbill.contracts.OrgUnfrozen;
import io.marketbill.contracts.OrganizationBilling;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What a closed subscription leaves behind for the organizations it paid for (R12-R15), in the caller's
 * transaction: the close action (at once for a product without a switch grace period, else when it ends), and for
 * EMQX the deletion of the stopped deployments: scheduled, reminded once, cancelled by a binding before it.
 */
@Component
class CloseOutcomes {

    private static final Logger log = LoggerFactory.getLogger(CloseOutcomes.class);
    static final String SYSTEM_ACTOR = "system";

    /** A scheduled deletion whose reminder or deletion time has come. */
    record Deletion(String organizationId, String subscriptionId, String productCode, Instant deleteAt) {
    }

    private final JdbcClient jdbc;
    private final OrganizationEvents events;
    private final Products products;
    private final BindingAudit audit;

    CloseOutcomes(JdbcClient jdbc, OrganizationEvents events, Products products, BindingAudit audit) {
        this.jdbc = jdbc;
        this.events = events;
        this.products = products;
        this.audit = audit;
    }

    /**
     * Carries out the close action of {@code subscriptionId} for the organizations it left; they are named together
     * in a fall-back to the vendor's billing, so that each admin hears once about all of theirs (Guance, R14).
     */
    void carryOut(String subscriptionId, String productCode, CloseAction action, List<String> organizations,
                  Instant when) {
        // to the microsecond, as the database keeps times: a deletion time read back is the one announced
        Instant now = when.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        Products.Product product = products.find(productCode).orElse(null);
        for (String org : organizations) {
            String detail = switch (action) {
                case STOP_DEPLOYMENTS -> stopDeployments(subscriptionId, productCode, product, org, now);
                case FREEZE_ORGANIZATION -> {
                    if (!events.billing(org).frozen()) {
                        events.emit(subscriptionId, now, new OrgFrozen(org, "SUBSCRIPTION_CLOSED"));
                    }
                    yield "organization frozen until a subscription is bound again";
                }
                case VENDOR_BILLING -> {
                    // the vendor bills it now, and a frozen marketplace organization is not frozen in the vendor's
                    // own billing: it is told so, in the one mail about the fall-back
                    if (events.billing(org).frozen()) {
                        events.emit(subscriptionId, now, new OrgUnfrozen(org, CloseAction.VENDOR_BILLING.name()));
                    }
                    events.emit(subscriptionId, now, new BillingChannelChanged(org, OrganizationBilling.VENDOR, null,
                            null, organizations));
                    yield "back to the vendor's own billing";
                }
            };
            audit.record(now, SYSTEM_ACTOR, action.name(), subscriptionId, org, "DONE", null, detail);
            log.info("close of {} for {}: {}", subscriptionId, org, detail);
        }
    }

    private String stopDeployments(String subscriptionId, String productCode, Products.Product product, String org,
                                   Instant now) {
        Instant deleteAt = now.plus(product == null ? Products.DEFAULT_DELETION_GRACE : product.deletionGracePeriod());
        Instant remindAt = deleteAt.minus(product == null ? Products.DEFAULT_DELETION_REMINDER
                : product.deletionReminderPeriod());
        events.emit(subscriptionId, now, new DeploymentsStopRequested(org, true, "SUBSCRIPTION_CLOSED", deleteAt));
        events.emit(subscriptionId, now, new DeploymentsDeletionScheduled(org, deleteAt));
        jdbc.sql("""
                INSERT INTO scheduled_deletion (organization_id, subscription_id, product_code, delete_at, remind_at,
                    created_at) VALUES (:org, :sub, :product, :deleteAt, :remindAt, :now)
                ON CONFLICT (organization_id) DO UPDATE SET subscription_id = EXCLUDED.subscription_id,
                    product_code = EXCLUDED.product_code, delete_at = EXCLUDED.delete_at,
                    remind_at = EXCLUDED.remind_at, reminded_at = NULL, created_at = EXCLUDED.created_at""")
                .param("org", org).param("sub", subscriptionId).param("product", productCode)
                .param("deleteAt", Timestamp.from(deleteAt))
                .param("remindAt", remindAt.isAfter(now) ? Timestamp.from(remindAt) : null)
                .param("now", Timestamp.from(now)).update();
        return "deployments stopped (trial ones excepted), deletion at " + deleteAt
                + (remindAt.isAfter(now) ? ", reminder at " + remindAt : "");
    }

    /**
     * A subscription was bound to the organization: a deletion still to come is off (R12), said by the new
     * subscription after its {@code SubscriptionBound}.
     */
    void cancelDeletion(String organizationId, String boundSubscriptionId, Instant now) {
        Optional<Instant> cancelled = jdbc.sql("""
                DELETE FROM scheduled_deletion WHERE organization_id = :org AND delete_at > :now RETURNING delete_at""")
                .param("org", organizationId).param("now", Timestamp.from(now))
                .query((rs, i) -> rs.getTimestamp(1).toInstant()).optional();
        cancelled.ifPresent(deleteAt -> {
            events.emit(boundSubscriptionId, now, new DeploymentsDeletionCancelled(organizationId,
                    "SUBSCRIPTION_BOUND"));
            audit.record(now, SYSTEM_ACTOR, "CANCEL_DELETION", boundSubscriptionId, organizationId, "DONE", null,
                    "the deletion due at " + deleteAt + " is cancelled: a subscription was bound");
        });
    }

    /** Publishes the reminders that are due (at most {@code limit}); returns how many. */
    int remind(Instant now, int limit) {
        List<Deletion> due = jdbc.sql("""
                SELECT organization_id, subscription_id, product_code, delete_at FROM scheduled_deletion
                WHERE reminded_at IS NULL AND remind_at <= :now AND delete_at > :now
                ORDER BY remind_at LIMIT :limit FOR UPDATE SKIP LOCKED""")
                .param("now", Timestamp.from(now)).param("limit", limit).query(CloseOutcomes::deletion).list();
        for (Deletion d : due) {
            events.emit(d.subscriptionId(), now, new DeploymentsDeletionReminder(d.organizationId(), d.deleteAt()));
            jdbc.sql("UPDATE scheduled_deletion SET reminded_at = :now WHERE organization_id = :org")
                    .param("now", Timestamp.from(now)).param("org", d.organizationId()).update();
            audit.record(now, SYSTEM_ACTOR, "REMIND_DELETION", d.subscriptionId(), d.organizationId(), "DONE", null,
                    "deletion at " + d.deleteAt());
        }
        return due.size();
    }

    /**
     * Forgets the deletions whose time has come (the vendor's platform deletes at the time it was told); returns
     * how many.
     */
    int deletionsDone(Instant now, int limit) {
        List<Deletion> done = jdbc.sql("""
                DELETE FROM scheduled_deletion WHERE organization_id IN (
                    SELECT organization_id FROM scheduled_deletion WHERE delete_at <= :now
                    ORDER BY delete_at LIMIT :limit FOR UPDATE SKIP LOCKED)
                RETURNING organization_id, subscription_id, product_code, delete_at""")
                .param("now", Timestamp.from(now)).param("limit", limit).query(CloseOutcomes::deletion).list();
        for (Deletion d : done) {
            audit.record(now, SYSTEM_ACTOR, "DELETION_DUE", d.subscriptionId(), d.organizationId(), "DONE", null,
                    "the stopped deployments were due for deletion at " + d.deleteAt());
        }
        return done.size();
    }

    /** A deleted organization has nothing left to delete or remind of. */
    void forget(String organizationId) {
        jdbc.sql("DELETE FROM scheduled_deletion WHERE organization_id = :org").param("org", organizationId).update();
    }

    private static Deletion deletion(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return new Deletion(rs.getString("organization_id"), rs.getString("subscription_id"),
                rs.getString("product_code"), rs.getTimestamp("delete_at").toInstant());
    }
}
