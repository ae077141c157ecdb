package io.marketbill.binding.bindings;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * EMQX's one marketplace account to one vendor account (R8): the links, and their release by an operator (a buyer
 * who must start again with another vendor account), audited with the operator's reason. A deleted organization's
 * links are released by {@link Bindings#onOrganizationDeleted}.
 */
@Component
class AccountLinks {

    /** One link, as operators see it. */
    record AccountLink(String productCode, String marketplace, String marketplaceAccountId, String organizationId,
                       Instant linkedAt) {
    }

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final BindingAudit audit;
    private final Clock clock;

    AccountLinks(JdbcClient jdbc, TransactionTemplate tx, BindingAudit audit, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.audit = audit;
        this.clock = clock;
    }

    List<AccountLink> ofOrganization(String organizationId) {
        return jdbc.sql("SELECT * FROM account_link WHERE organization_id = :org ORDER BY product_code")
                .param("org", organizationId).query((rs, i) -> new AccountLink(rs.getString("product_code"),
                        rs.getString("marketplace"), rs.getString("marketplace_account_id"),
                        rs.getString("organization_id"), rs.getTimestamp("linked_at").toInstant()))
                .list();
    }

    /**
     * Releases the link of the marketplace account for the product; empty when there is none. Refused (by the caller)
     * while a subscription of that account is bound to the organization: unbind it first.
     */
    Optional<AccountLink> release(String operator, String productCode, String marketplace, String accountId,
                                  String reason) {
        Instant now = clock.instant();
        return tx.execute(s -> {
            Optional<AccountLink> link = jdbc.sql("""
                    DELETE FROM account_link
                    WHERE product_code = :product AND marketplace = :marketplace AND marketplace_account_id = :account
                    RETURNING *""")
                    .param("product", productCode).param("marketplace", marketplace).param("account", accountId)
                    .query((rs, i) -> new AccountLink(rs.getString("product_code"), rs.getString("marketplace"),
                            rs.getString("marketplace_account_id"), rs.getString("organization_id"),
                            rs.getTimestamp("linked_at").toInstant()))
                    .optional();
            link.ifPresent(l -> audit.record(now, operator, "RELEASE_ACCOUNT_LINK", null, l.organizationId(),
                    "RELEASED", "operator", productCode + " " + marketplace + ":" + accountId + ": " + reason));
            return link;
        });
    }

    /** Whether a subscription of the account is bound to the linked organization now. */
    boolean inUse(String productCode, String marketplace, String accountId) {
        return jdbc.sql("""
                SELECT COUNT(*) FROM binding b JOIN account_link l ON l.organization_id = b.organization_id
                    AND l.product_code = b.product_code
                WHERE l.product_code = :product AND l.marketplace = :marketplace AND l.marketplace_account_id = :account
                  AND b.unbound_at IS NULL""")
                .param("product", productCode).param("marketplace", marketplace).param("account", accountId)
                .query(Long.class).single() > 0;
    }
}
