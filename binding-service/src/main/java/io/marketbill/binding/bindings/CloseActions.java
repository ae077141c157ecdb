package io.marketbill.binding.bindings;

import io.marketbill.contracts.BillingChannelChanged;
import io.marketbill.contracts.DeploymentsDeletionScheduled;
import io.marketbill.contracts.DeploymentsStopRequested;
import io.marketbill.contracts.OrgFrozen;
import io.marketbill.contracts.OrganizationBilling;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Carries out what a closed subscription leaves behind once its switch grace period ends with no other subscription
 * bound (R12-R15). Rows are claimed with {@code SKIP LOCKED}, so several replicas never act twice; each action, its
 * events and its audit entry commit together.
 */
@Component
class CloseActions {

    private static final Logger log = LoggerFactory.getLogger(CloseActions.class);

    record Due(String organizationId, String subscriptionId, String productCode, CloseAction action) {
    }

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Bindings bindings;
    private final Products products;
    private final BindingAudit audit;
    private final Clock clock;

    CloseActions(JdbcClient jdbc, TransactionTemplate tx, Bindings bindings, Products products, BindingAudit audit,
                 Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.bindings = bindings;
        this.products = products;
        this.audit = audit;
        this.clock = clock;
    }

    @Scheduled(fixedDelayString = "${marketbill.binding.close-actions-interval:5s}")
    void runDue() {
        int done;
        do {
            done = runBatch();
        } while (done == 50);
    }

    /** @return how many actions were carried out */
    int runBatch() {
        Integer n = tx.execute(s -> {
            Instant now = clock.instant();
            List<Due> due = jdbc.sql("""
                    SELECT organization_id, subscription_id, product_code, action FROM pending_close_action
                    WHERE due_at <= :now ORDER BY due_at LIMIT 50 FOR UPDATE SKIP LOCKED""")
                    .param("now", java.sql.Timestamp.from(now))
                    .query((rs, i) -> new Due(rs.getString(1), rs.getString(2), rs.getString(3),
                            CloseAction.valueOf(rs.getString(4))))
                    .list();
            for (Due d : due) {
                carryOut(d, now);
                jdbc.sql("DELETE FROM pending_close_action WHERE organization_id = :org")
                        .param("org", d.organizationId()).update();
            }
            return due.size();
        });
        return n == null ? 0 : n;
    }

    private void carryOut(Due d, Instant now) {
        String org = d.organizationId();
        String sub = d.subscriptionId();
        String detail;
        if (d.action() == CloseAction.STOP_DEPLOYMENTS) {
            Instant deleteAt = now.plus(products.find(d.productCode()).map(Products.Product::deletionGracePeriod)
                    .orElse(Products.DEFAULT_DELETION_GRACE));
            bindings.emit(sub, now, new DeploymentsStopRequested(org, true, "SUBSCRIPTION_CLOSED"));
            bindings.emit(sub, now, new DeploymentsDeletionScheduled(org, deleteAt));
            detail = "deployments stopped (trial ones excepted), deletion at " + deleteAt;
        } else if (d.action() == CloseAction.FREEZE_ORGANIZATION) {
            if (!bindings.billing(org).frozen()) {
                bindings.emit(sub, now, new OrgFrozen(org, "SUBSCRIPTION_CLOSED"));
            }
            detail = "organization frozen until a subscription is bound again";
        } else {
            bindings.emit(sub, now, new BillingChannelChanged(org, OrganizationBilling.VENDOR, null, null));
            detail = "back to the vendor's own billing";
        }
        audit.record(now, "system", d.action().name(), sub, org, "DONE", null, detail);
        log.info("switch grace period of {} for {} ended: {}", sub, org, detail);
    }
}
