package io.marketbill.billing.metering;

import io.marketbill.contracts.OrganizationBilling;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** How each organization pays, folded from {@code binding.v1} ({@link OrganizationBilling}): all its SQL. */
@Component
public class OrganizationBillingStore {

    private final JdbcClient jdbc;

    OrganizationBillingStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** How the organization pays now; {@link OrganizationBilling#INITIAL} for one no event was about. */
    public OrganizationBilling find(String organizationId) {
        return jdbc.sql("SELECT * FROM organization_billing WHERE organization_id = :org")
                .param("org", organizationId).query(OrganizationBillingStore::row).optional()
                .orElse(OrganizationBilling.INITIAL);
    }

    /** The same, its row locked until the transaction ends: events of one organization come from several partitions. */
    OrganizationBilling findForUpdate(String organizationId, Instant at) {
        save(organizationId, OrganizationBilling.INITIAL, at, false);
        return jdbc.sql("SELECT * FROM organization_billing WHERE organization_id = :org FOR UPDATE")
                .param("org", organizationId).query(OrganizationBillingStore::row).single();
    }

    void save(String organizationId, OrganizationBilling b, Instant at) {
        save(organizationId, b, at, true);
    }

    private void save(String organizationId, OrganizationBilling b, Instant at, boolean replace) {
        jdbc.sql("""
                INSERT INTO organization_billing (organization_id, channel, marketplace, marketplace_account_id,
                    subscription_id, frozen, deployments_stopped, deployments_delete_at, last_bound_subscription_id,
                    last_bound_at, updated_at)
                VALUES (:org, :channel, :marketplace, :account, :sub, :frozen, :stopped, :deleteAt, :lastSub, :lastAt,
                    :at)
                ON CONFLICT (organization_id) DO\s""" + (replace ? """
                UPDATE SET channel = EXCLUDED.channel, marketplace = EXCLUDED.marketplace,
                    marketplace_account_id = EXCLUDED.marketplace_account_id, subscription_id = EXCLUDED.subscription_id,
                    frozen = EXCLUDED.frozen, deployments_stopped = EXCLUDED.deployments_stopped,
                    deployments_delete_at = EXCLUDED.deployments_delete_at,
                    last_bound_subscription_id = EXCLUDED.last_bound_subscription_id,
                    last_bound_at = EXCLUDED.last_bound_at, updated_at = EXCLUDED.updated_at""" : "NOTHING"))
                .param("org", organizationId).param("channel", b.channel()).param("marketplace", b.marketplace())
                .param("account", b.marketplaceAccountId()).param("sub", b.subscriptionId())
                .param("frozen", b.frozen()).param("stopped", b.deploymentsStopped())
                .param("deleteAt", timestamp(b.deploymentsDeleteAt())).param("lastSub", b.lastBoundSubscriptionId())
                .param("lastAt", timestamp(b.lastBoundAt())).param("at", Timestamp.from(at)).update();
    }

    private static Timestamp timestamp(Instant at) {
        return at == null ? null : Timestamp.from(at);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static OrganizationBilling row(ResultSet rs, int i) throws SQLException {
        return new OrganizationBilling(rs.getString("channel"), rs.getString("marketplace"),
                rs.getString("marketplace_account_id"), rs.getString("subscription_id"), rs.getBoolean("frozen"),
                rs.getBoolean("deployments_stopped"), instant(rs.getTimestamp("deployments_delete_at")),
                rs.getString("last_bound_subscription_id"), instant(rs.getTimestamp("last_bound_at")));
    }
}
