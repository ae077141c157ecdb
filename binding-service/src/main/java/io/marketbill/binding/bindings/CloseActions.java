package io.marketbill.binding.bindings;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs what is due: the close actions of subscriptions whose switch grace period ended with no other subscription
 * bound (R12-R15), the reminders before a deletion, and the deletions' end. Rows are claimed with
 * {@code SKIP LOCKED}, so several replicas never act twice; each action, its events and its audit entry commit
 * together.
 */
@Component
class CloseActions {

    static final int BATCH = 50;

    record Due(String organizationId, String subscriptionId, String productCode, CloseAction action) {
    }

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final CloseOutcomes outcomes;
    private final Clock clock;

    CloseActions(JdbcClient jdbc, TransactionTemplate tx, CloseOutcomes outcomes, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.outcomes = outcomes;
        this.clock = clock;
    }

    @Scheduled(fixedDelayString = "${marketbill.binding.close-actions-interval:5s}")
    void runDue() {
        while (runBatch() == BATCH) {
            // more are due
        }
        while (inTransaction(() -> outcomes.remind(clock.instant(), BATCH)) == BATCH) {
            // more are due
        }
        while (inTransaction(() -> outcomes.deletionsDone(clock.instant(), BATCH)) == BATCH) {
            // more are due
        }
    }

    /** @return how many close actions were carried out */
    int runBatch() {
        return inTransaction(() -> {
            Instant now = clock.instant();
            List<Due> due = jdbc.sql("""
                    SELECT organization_id, subscription_id, product_code, action FROM pending_close_action
                    WHERE due_at <= :now ORDER BY due_at LIMIT :limit FOR UPDATE SKIP LOCKED""")
                    .param("now", java.sql.Timestamp.from(now)).param("limit", BATCH)
                    .query((rs, i) -> new Due(rs.getString(1), rs.getString(2), rs.getString(3),
                            CloseAction.valueOf(rs.getString(4))))
                    .list();
            // one subscription's organizations due together are named together (one mail about all of them)
            Map<List<String>, List<String>> bySubscription = new LinkedHashMap<>();
            for (Due d : due) {
                bySubscription.computeIfAbsent(List.of(d.subscriptionId(), d.productCode(), d.action().name()),
                        k -> new ArrayList<>()).add(d.organizationId());
                jdbc.sql("DELETE FROM pending_close_action WHERE organization_id = :org")
                        .param("org", d.organizationId()).update();
            }
            bySubscription.forEach((key, orgs) -> outcomes.carryOut(key.get(0), key.get(1),
                    CloseAction.valueOf(key.get(2)), orgs, now));
            return due.size();
        });
    }

    private int inTransaction(java.util.function.IntSupplier work) {
        Integer n = tx.execute(s -> work.getAsInt());
        return n == null ? 0 : n;
    }
}
