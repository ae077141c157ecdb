package io.marketbill.subscription.registry;

import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.EventIds;
import io.marketbill.contracts.SubscriptionChanged;
import io.marketbill.contracts.SubscriptionClosed;
import io.marketbill.contracts.SubscriptionFrozen;
import io.marketbill.contracts.SubscriptionLifecycleEvent;
import io.marketbill.contracts.SubscriptionOpened;
import io.marketbill.contracts.SubscriptionResumed;
import io.marketbill.messaging.outbox.Outbox;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The subscription state machine: {@code ACTIVE -frozen-> FROZEN -resumed-> ACTIVE}, any {@code -closed-> CLOSED},
 * and {@code CLOSED -opened-> ACTIVE} (re-subscribing is subscribing). Called inside the consumer's transaction.
 */
@Service
public class SubscriptionRegistry {

    private static final Logger log = LoggerFactory.getLogger(SubscriptionRegistry.class);
    static final String PRODUCER = "subscription-service";

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Outbox outbox;
    private final ExpiryGuardProperties expiryGuard;

    SubscriptionRegistry(JdbcClient jdbc, JsonMapper json, Outbox outbox, ExpiryGuardProperties expiryGuard) {
        this.jdbc = jdbc;
        this.json = json;
        this.outbox = outbox;
        this.expiryGuard = expiryGuard;
    }

    /** Applies one lifecycle event; must run in the transaction that records it as processed. */
    public void apply(EventEnvelope event) {
        Optional<SubscriptionState> current = lockState(event.subscriptionId());
        if (!(event.payload() instanceof SubscriptionLifecycleEvent lifecycle)) {
            throw new IllegalArgumentException("not a lifecycle event: " + event.type());
        }
        if (PRODUCER.equals(event.producer())) {
            // our own derived event (a renewal's resume, a refund's freeze), read back from the topic: it was applied
            // when it was derived, and applying it again later could undo what came after it (a resume read after
            // the refund that froze the subscription again would unfreeze it, and put the refunded expiry back)
            log.info("{} for {}: derived here and already applied", event.type(), event.subscriptionId());
            return;
        }
        SubscriptionState after = switch (lifecycle) {
            case SubscriptionOpened opened -> open(event, opened, current);
            case SubscriptionChanged changed -> change(event, changed, require(event, current));
            case SubscriptionFrozen frozen -> freeze(event, frozen, require(event, current));
            case SubscriptionResumed resumed -> resume(event, resumed, require(event, current));
            case SubscriptionClosed _ -> close(event, require(event, current));
        };
        boolean stateEvent = switch (lifecycle) {
            case SubscriptionOpened _, SubscriptionChanged _ -> false;
            case SubscriptionFrozen _, SubscriptionResumed _, SubscriptionClosed _ -> true;
        };
        if (stateEvent && current.isPresent() && current.get() == after) {
            // the marketplace repeats itself (e.g. expiredInstance has no natural key): no change, no history
            log.info("{} for {}: already {}, nothing to change", event.type(), event.subscriptionId(), after);
            return;
        }
        int recorded = jdbc.sql("""
                INSERT INTO subscription_history (subscription_id, event_id, event_type, occurred_at, state_after, details)
                VALUES (:id, :eventId, :type, :occurredAt, :state, :details)
                ON CONFLICT (event_id) DO NOTHING""")
                .param("id", event.subscriptionId())
                .param("eventId", event.eventId())
                .param("type", event.type())
                .param("occurredAt", Timestamp.from(event.occurredAt()))
                .param("state", after.name())
                .param("details", json.writeValueAsString(event.payload()))
                .update();
        log.info("{} applied to {}: now {}{}", event.type(), event.subscriptionId(), after,
                recorded == 0 ? " (history already had it)" : "");
    }

    private Optional<SubscriptionState> lockState(String id) {
        return jdbc.sql("SELECT state FROM subscription WHERE id = :id FOR UPDATE").param("id", id)
                .query((rs, i) -> SubscriptionState.valueOf(rs.getString(1))).optional();
    }

    private static SubscriptionState require(EventEnvelope event, Optional<SubscriptionState> current) {
        return current.orElseThrow(() -> new UnknownSubscriptionException(event.subscriptionId(), event.type()));
    }

    private SubscriptionState open(EventEnvelope e, SubscriptionOpened o, Optional<SubscriptionState> current) {
        // re-opening a closed subscription (same marketplace ids) is subscribing again: a fresh ACTIVE record
        jdbc.sql("""
                INSERT INTO subscription (id, marketplace, product_code, sku_id, trial, marketplace_account_id, order_id,
                    customer_identifier, license_arn, billable_items, state, expires_at, opened_at, updated_at)
                VALUES (:id, :marketplace, :product, :sku, :trial, :account, :orderId, :customer, :license, :items,
                    'ACTIVE', :expiresAt, :at, :at)
                ON CONFLICT (id) DO UPDATE SET product_code = EXCLUDED.product_code, sku_id = EXCLUDED.sku_id,
                    trial = EXCLUDED.trial, marketplace_account_id = EXCLUDED.marketplace_account_id,
                    order_id = EXCLUDED.order_id, customer_identifier = EXCLUDED.customer_identifier,
                    license_arn = EXCLUDED.license_arn, billable_items = EXCLUDED.billable_items,
                    expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at,
                    state = CASE WHEN subscription.state = 'CLOSED' THEN 'ACTIVE' ELSE subscription.state END,
                    opened_at = CASE WHEN subscription.state = 'CLOSED' THEN EXCLUDED.opened_at ELSE subscription.opened_at END,
                    closed_at = CASE WHEN subscription.state = 'CLOSED' THEN NULL ELSE subscription.closed_at END""")
                .param("id", e.subscriptionId())
                .param("marketplace", e.marketplace())
                .param("product", o.productCode())
                .param("sku", o.skuId())
                .param("trial", o.trial())
                .param("account", o.marketplaceAccountId())
                .param("orderId", o.orderId())
                .param("customer", o.customerIdentifier())
                .param("license", o.licenseArn())
                .param("items", json.writeValueAsString(o.billableItems()))
                .param("expiresAt", ts(o.expiresAt()))
                .param("at", Timestamp.from(e.occurredAt()))
                .update();
        return current.filter(s -> s != SubscriptionState.CLOSED).orElse(SubscriptionState.ACTIVE);
    }

    private SubscriptionState change(EventEnvelope e, SubscriptionChanged c, SubscriptionState state) {
        if ("RENEWED".equals(c.change())
                && ReplayedExpiry.movesExpiryLater(expiresAt(e.subscriptionId()), c.expiresAt())) {
            jdbc.sql("UPDATE subscription SET renewed_until = :until WHERE id = :id")
                    .param("id", e.subscriptionId()).param("until", ts(c.expiresAt())).update();
        } else if (RenewalRefund.CHANGE.equals(c.change())) {
            // which renewal a refund takes back is not said: no paid term is known any more
            jdbc.sql("UPDATE subscription SET renewed_until = NULL WHERE id = :id").param("id", e.subscriptionId())
                    .update();
        }
        jdbc.sql("""
                UPDATE subscription SET sku_id = COALESCE(:sku, sku_id), expires_at = COALESCE(:expiresAt, expires_at),
                    billable_items = CASE WHEN :hasItems THEN :items ELSE billable_items END, updated_at = :at
                WHERE id = :id""")
                .param("id", e.subscriptionId())
                .param("sku", c.skuId())
                .param("expiresAt", ts(c.expiresAt()))
                .param("hasItems", !c.billableItems().isEmpty())
                .param("items", json.writeValueAsString(c.billableItems()))
                .param("at", Timestamp.from(e.occurredAt()))
                .update();
        if ("RENEWED".equals(c.change()) && state == SubscriptionState.FROZEN) {
            // a renewal of a frozen subscription pays its arrears: only this state machine knows, so it says so
            EventEnvelope resumed = EventEnvelope.of(EventIds.fromNaturalKey("resumed-by-renewal", e.eventId().toString()),
                    e.occurredAt(), PRODUCER, e.subscriptionId(), new SubscriptionResumed(c.orderId(), c.expiresAt()));
            outbox.append(resumed);
            jdbc.sql("UPDATE subscription SET unfrozen_by_renewal_at = :at WHERE id = :id")
                    .param("id", e.subscriptionId()).param("at", Timestamp.from(e.occurredAt())).update();
            return setState(e, SubscriptionState.ACTIVE);
        }
        if (RenewalRefund.freezesAgain(c, state, unfrozenByRenewal(e.subscriptionId()), e.occurredAt())) {
            // the refunded renewal was what unfroze it, and the expiry the refund moves back to has passed: the
            // subscription is expired again, so it is frozen again, as the marketplace froze it before
            EventEnvelope frozen = EventEnvelope.of(EventIds.fromNaturalKey("frozen-by-refund", e.eventId().toString()),
                    e.occurredAt(), PRODUCER, e.subscriptionId(),
                    new SubscriptionFrozen(RenewalRefund.REASON, c.expiresAt()));
            outbox.append(frozen);
            jdbc.sql("UPDATE subscription SET frozen_at = :at, unfrozen_by_renewal_at = NULL WHERE id = :id")
                    .param("id", e.subscriptionId()).param("at", Timestamp.from(e.occurredAt())).update();
            return setState(e, SubscriptionState.FROZEN);
        }
        return state;
    }

    private Instant expiresAt(String id) {
        return jdbc.sql("SELECT expires_at FROM subscription WHERE id = :id").param("id", id)
                .query((rs, i) -> instant(rs, 1)).optional().orElse(null);
    }

    private Instant renewedUntil(String id) {
        return jdbc.sql("SELECT renewed_until FROM subscription WHERE id = :id").param("id", id)
                .query((rs, i) -> instant(rs, 1)).optional().orElse(null);
    }

    private boolean unfrozenByRenewal(String id) {
        return jdbc.sql("SELECT unfrozen_by_renewal_at IS NOT NULL FROM subscription WHERE id = :id").param("id", id)
                .query(Boolean.class).optional().orElse(false);
    }

    private SubscriptionState freeze(EventEnvelope e, SubscriptionFrozen f, SubscriptionState state) {
        if (state != SubscriptionState.ACTIVE) {
            return state;
        }
        Instant renewedUntil = renewedUntil(e.subscriptionId());
        if (ReplayedExpiry.ignores(f, renewedUntil, e.occurredAt(), expiryGuard)) {
            log.warn("{} ({}) for {} ignored: a renewal paid it until {}, so this is a replayed expiredInstance",
                    e.type(), f.reason(), e.subscriptionId(), renewedUntil);
            return state;
        }
        jdbc.sql("UPDATE subscription SET frozen_at = :at, unfrozen_by_renewal_at = NULL WHERE id = :id")
                .param("id", e.subscriptionId()).param("at", Timestamp.from(e.occurredAt())).update();
        return setState(e, SubscriptionState.FROZEN);
    }

    private SubscriptionState resume(EventEnvelope e, SubscriptionResumed r, SubscriptionState state) {
        if (r.expiresAt() != null) {
            jdbc.sql("UPDATE subscription SET expires_at = :expiresAt WHERE id = :id")
                    .param("id", e.subscriptionId()).param("expiresAt", ts(r.expiresAt())).update();
        }
        return state == SubscriptionState.FROZEN ? setState(e, SubscriptionState.ACTIVE) : state;
    }

    private SubscriptionState close(EventEnvelope e, SubscriptionState state) {
        if (state == SubscriptionState.CLOSED) {
            return state;
        }
        jdbc.sql("""
                UPDATE subscription SET closed_at = :at, unfrozen_by_renewal_at = NULL, renewed_until = NULL
                WHERE id = :id""")
                .param("id", e.subscriptionId()).param("at", Timestamp.from(e.occurredAt())).update();
        return setState(e, SubscriptionState.CLOSED);
    }

    private SubscriptionState setState(EventEnvelope e, SubscriptionState state) {
        jdbc.sql("UPDATE subscription SET state = :state, updated_at = :at WHERE id = :id")
                .param("id", e.subscriptionId()).param("state", state.name())
                .param("at", Timestamp.from(e.occurredAt())).update();
        return state;
    }

    public Optional<Subscription> find(String id) {
        List<Subscription.HistoryEntry> history = jdbc.sql("""
                SELECT event_id, event_type, occurred_at, recorded_at, state_after, details
                FROM subscription_history WHERE subscription_id = :id ORDER BY seq""")
                .param("id", id)
                .query((rs, i) -> new Subscription.HistoryEntry(rs.getString(1), rs.getString(2), instant(rs, 3),
                        instant(rs, 4), SubscriptionState.valueOf(rs.getString(5)), rs.getString(6)))
                .list();
        return jdbc.sql("SELECT * FROM subscription WHERE id = :id").param("id", id)
                .query((rs, i) -> map(rs, history)).optional();
    }

    /** Filters (each optional) as the gateway needs them to find an AWS subscription from a notification. */
    public record Filter(SubscriptionState state, String marketplace, String customerIdentifier,
                         String marketplaceAccountId, String licenseArn, String productCode) {
    }

    public List<Subscription> list(Filter f, int limit) {
        return jdbc.sql("SELECT * FROM subscription WHERE (CAST(:state AS TEXT) IS NULL OR state = :state)"
                        + " AND (CAST(:marketplace AS TEXT) IS NULL OR marketplace = :marketplace)"
                        + " AND (CAST(:customer AS TEXT) IS NULL OR customer_identifier = :customer)"
                        + " AND (CAST(:account AS TEXT) IS NULL OR marketplace_account_id = :account)"
                        + " AND (CAST(:license AS TEXT) IS NULL OR license_arn = :license)"
                        + " AND (CAST(:product AS TEXT) IS NULL OR product_code = :product)"
                        + " ORDER BY updated_at DESC LIMIT :limit")
                .param("state", f.state() == null ? null : f.state().name())
                .param("marketplace", f.marketplace())
                .param("customer", f.customerIdentifier())
                .param("account", f.marketplaceAccountId())
                .param("license", f.licenseArn())
                .param("product", f.productCode())
                .param("limit", limit)
                .query((rs, i) -> map(rs, List.of()))
                .list();
    }

    private Subscription map(ResultSet rs, List<Subscription.HistoryEntry> history) throws SQLException {
        Map<String, String> items = json.readValue(rs.getString("billable_items"), new TypeReference<>() { });
        return new Subscription(rs.getString("id"), rs.getString("marketplace"), rs.getString("product_code"),
                rs.getString("sku_id"), rs.getBoolean("trial"), rs.getString("marketplace_account_id"),
                rs.getString("order_id"), rs.getString("customer_identifier"), rs.getString("license_arn"), items,
                SubscriptionState.valueOf(rs.getString("state")), instant(rs, "expires_at"), instant(rs, "opened_at"),
                instant(rs, "frozen_at"), instant(rs, "closed_at"), instant(rs, "updated_at"), history);
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
