package io.marketbill.binding.bindings;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The audit log of every binding decision: who, what, when, outcome. Written in the decision's transaction. */
@Component
public class BindingAudit {

    /** One decision. {@code actor} is a user id, {@code marketplace} (lifecycle) or {@code system} (grace periods). */
    public record Entry(long auditId, Instant at, String actor, String action, String subscriptionId,
                        String organizationId, String outcome, String reason, String detail) {
    }

    private final JdbcClient jdbc;

    BindingAudit(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void record(Instant at, String actor, String action, String subscriptionId, String organizationId, String outcome,
                String reason, String detail) {
        jdbc.sql("""
                INSERT INTO binding_audit (at, actor, action, subscription_id, organization_id, outcome, reason, detail)
                VALUES (:at, :actor, :action, :sub, :org, :outcome, :reason, :detail)""")
                .param("at", Timestamp.from(at)).param("actor", actor).param("action", action)
                .param("sub", subscriptionId).param("org", organizationId).param("outcome", outcome)
                .param("reason", reason)
                .param("detail", detail == null || detail.length() <= 1024 ? detail : detail.substring(0, 1024))
                .update();
    }

    /** Newest first; every filter optional. */
    public List<Entry> find(String subscriptionId, String organizationId, String actor, int limit) {
        return jdbc.sql("""
                SELECT * FROM binding_audit
                WHERE (CAST(:sub AS VARCHAR) IS NULL OR subscription_id = :sub)
                  AND (CAST(:org AS VARCHAR) IS NULL OR organization_id = :org)
                  AND (CAST(:actor AS VARCHAR) IS NULL OR actor = :actor)
                ORDER BY audit_id DESC LIMIT :limit""")
                .param("sub", subscriptionId).param("org", organizationId).param("actor", actor)
                .param("limit", Math.max(1, Math.min(limit, 1000)))
                .query((rs, i) -> new Entry(rs.getLong("audit_id"), rs.getTimestamp("at").toInstant(),
                        rs.getString("actor"), rs.getString("action"), rs.getString("subscription_id"),
                        rs.getString("organization_id"), rs.getString("outcome"), rs.getString("reason"),
                        rs.getString("detail")))
                .list();
    }

    /** Wrong proofs (account mismatches) since {@code since}: the user's own, and those for the organization. */
    long[] wrongProofs(String actor, String organizationId, Instant since) {
        return jdbc.sql("""
                SELECT COUNT(*) FILTER (WHERE actor = :actor), COUNT(*) FILTER (WHERE organization_id = :org)
                FROM binding_audit
                WHERE action = 'BIND' AND outcome = 'REFUSED' AND reason = :reason AND at > :since
                  AND (actor = :actor OR organization_id = :org)""")
                .param("actor", actor).param("org", organizationId).param("reason", Refusal.ACCOUNT_MISMATCH.code())
                .param("since", Timestamp.from(since))
                .query((rs, i) -> new long[] {rs.getLong(1), rs.getLong(2)}).single();
    }
}
