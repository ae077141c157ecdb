package io.marketbill.billing.metering;

import io.marketbill.billing.BillingProperties;
import io.marketbill.billing.rating.TrialRules;
import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.SubscriptionChanged;
import io.marketbill.contracts.SubscriptionClosed;
import io.marketbill.contracts.SubscriptionFrozen;
import io.marketbill.contracts.SubscriptionLifecycleEvent;
import io.marketbill.contracts.SubscriptionOpened;
import io.marketbill.contracts.SubscriptionResumed;
import io.marketbill.contracts.Topics;
import io.marketbill.messaging.inbox.InboundEvents;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns billing on and off with the subscription's lifecycle: on when opened or resumed, paused from the
 * moment it is frozen, ended when closed; and keeps the subscription's plan (SKU and extra billable items) from
 * its opening and every upgrade or downgrade. Each switch and plan is kept with its time, because usage is
 * charged only inside billing periods and at the price of the plan in force; the hourly rating reads them minute
 * by minute.
 */
@RestController
class MeteringSwitch {

    private final JdbcClient jdbc;
    private final InboundEvents inbound;
    private final BillingProperties props;
    private final JsonMapper json = JsonMapper.builder().build();

    MeteringSwitch(JdbcClient jdbc, InboundEvents inbound, BillingProperties props) {
        this.jdbc = jdbc;
        this.inbound = inbound;
        this.props = props;
    }

    @KafkaListener(topics = Topics.MARKETPLACE_SUBSCRIPTIONS)
    void on(ConsumerRecord<String, String> record) {
        inbound.process(record, this::apply);
    }

    void apply(EventEnvelope e) {
        // only lifecycle events belong on this topic: another payload (a wrong producer) is ignored, as it always was
        if (!(e.payload() instanceof SubscriptionLifecycleEvent event)) {
            return;
        }
        switch (event) {
            case SubscriptionOpened o -> {
                jdbc.sql("""
                    INSERT INTO metered_subscription (subscription_id, marketplace, product_code, sku_id, trial, metering,
                        changed_at, marketplace_account_id, customer_identifier, license_arn, opened_at, next_hour)
                    VALUES (:id, :marketplace, :product, :sku, :trial, 'BILLING', :at, :account, :customer, :license,
                        :at, date_trunc('hour', CAST(:at AS TIMESTAMPTZ)))
                    ON CONFLICT (subscription_id) DO UPDATE SET product_code = EXCLUDED.product_code,
                        sku_id = EXCLUDED.sku_id, trial = EXCLUDED.trial, metering = 'BILLING', changed_at = EXCLUDED.changed_at,
                        marketplace_account_id = EXCLUDED.marketplace_account_id,
                        customer_identifier = EXCLUDED.customer_identifier, license_arn = EXCLUDED.license_arn,
                        next_hour = COALESCE(metered_subscription.next_hour, EXCLUDED.next_hour)""")
                        .param("id", e.subscriptionId()).param("marketplace", e.marketplace())
                        .param("product", o.productCode()).param("sku", o.skuId()).param("trial", o.trial())
                        .param("account", o.marketplaceAccountId()).param("customer", o.customerIdentifier())
                        .param("license", o.licenseArn())
                        .param("at", Timestamp.from(e.occurredAt())).update();
                period(e, "BILLING");
                plan(e, new Plan(o.skuId(), o.billableItems(), o.trial()));
            }
            // AWS: after unsubscribe-pending "you will have one hour to meter any remaining usage"; after
            // unsubscribe-success "you can no longer send metering records for this customer" (AWS Marketplace
            // Seller Guide, SaaS subscription integration, docs.aws.amazon.com/marketplace/latest/userguide/
            // saas-integrate-subscription.html). So billing ends at pending, and the final flush (finalFlushDelay
            // later) reports the last hours while AWS still takes them; the registry waits for success to close.
            case SubscriptionChanged c when "UNSUBSCRIBE_PENDING".equals(c.change()) -> switchTo(e, "ENDED", null);
            case SubscriptionChanged c when c.skuId() != null || !c.billableItems().isEmpty() -> {
                // an upgrade or downgrade (a new SKU, new extra billable items): from its minute on, usage is priced
                // at the new plan; the minutes before it keep the old one, even within the same hour
                Plan now = currentPlan(e.subscriptionId());
                String sku = c.skuId() != null ? c.skuId() : now.sku();
                Map<String, String> items = c.billableItems().isEmpty() ? now.items() : c.billableItems();
                plan(e, new Plan(sku, items, now.trial()));
                jdbc.sql("UPDATE metered_subscription SET sku_id = :sku WHERE subscription_id = :id")
                        .param("sku", sku).param("id", e.subscriptionId()).update();
            }
            case SubscriptionChanged c when TrialRules.endsTrial(e.marketplace(), c.change(),
                    props.aliyun().renewalEndsTrial()) && currentPlan(e.subscriptionId()).trial() -> {
                // the trial is over from this minute on: usage after it is charged (TrialRules)
                Plan now = currentPlan(e.subscriptionId());
                plan(e, new Plan(now.sku(), now.items(), false));
                jdbc.sql("UPDATE metered_subscription SET trial = FALSE WHERE subscription_id = :id")
                        .param("id", e.subscriptionId()).update();
            }
            case SubscriptionChanged _ -> { }  // neither SKU nor items nor a trial's end: the plan is unchanged
            case SubscriptionFrozen _ -> switchTo(e, "PAUSED", "BILLING");
            case SubscriptionResumed _ -> switchTo(e, "BILLING", "PAUSED");
            // a release with a refund (isRefund) ends billing like any other: what was used before it was used, and
            // Alibaba's releaseInstance page (help.aliyun.com/zh/marketplace/releaseinstance) says nothing of not
            // metering it, so the final flush reports it as usual; the refund itself is in the subscription's history
            case SubscriptionClosed _ -> switchTo(e, "ENDED", null);
        }
    }

    private void switchTo(EventEnvelope e, String to, String onlyFrom) {
        int changed = jdbc.sql("UPDATE metered_subscription SET metering = :to, changed_at = :at "
                        + "WHERE subscription_id = :id AND metering <> 'ENDED' AND metering <> :to"
                        + (onlyFrom == null ? "" : " AND metering = :from"))
                .param("id", e.subscriptionId()).param("to", to).param("from", onlyFrom)
                .param("at", Timestamp.from(e.occurredAt())).update();
        if (changed > 0) {
            period(e, to);
        } else if (onlyFrom != null && endedAfter(e) && onlyFrom.equals(meteringAt(e))) {
            // a freeze or resume that happened before the close but came after it: subscription-service derives the
            // resume of a renewed frozen subscription (and the freeze of a refunded renewal) and publishes it from its
            // outbox, the gateway publishes the release directly. The hours are rated by when each switch happened,
            // so the minutes between it and the close are metered as they were, not as the state before it
            period(e, to);
        }
    }

    private boolean endedAfter(EventEnvelope e) {
        return jdbc.sql("""
                SELECT count(*) FROM metered_subscription
                WHERE subscription_id = :id AND metering = 'ENDED' AND changed_at > :at""")
                .param("id", e.subscriptionId()).param("at", Timestamp.from(e.occurredAt())).query(Integer.class)
                .single() > 0;
    }

    private String meteringAt(EventEnvelope e) {
        return jdbc.sql("""
                SELECT metering FROM metering_period_change WHERE subscription_id = :id AND changed_at <= :at
                ORDER BY changed_at DESC, seq DESC LIMIT 1""")
                .param("id", e.subscriptionId()).param("at", Timestamp.from(e.occurredAt())).query(String.class)
                .optional().orElse(null);
    }

    private record Plan(String sku, Map<String, String> items, boolean trial) {
    }

    private Plan currentPlan(String subscriptionId) {
        return jdbc.sql("""
                SELECT sku_id, billable_items, trial FROM plan_change WHERE subscription_id = :id
                ORDER BY changed_at DESC, seq DESC LIMIT 1""")
                .param("id", subscriptionId)
                .query((rs, n) -> new Plan(rs.getString(1), items(rs.getString(2)), rs.getBoolean(3))).optional()
                .orElse(new Plan(null, Map.of(), false));
    }

    /** Keeps the plan with its time; a redelivered event records nothing twice (the inbox drops it first). */
    private void plan(EventEnvelope e, Plan plan) {
        jdbc.sql("""
                INSERT INTO plan_change (subscription_id, sku_id, billable_items, trial, changed_at)
                SELECT :id, :sku, :items, :trial, :at
                WHERE EXISTS (SELECT 1 FROM metered_subscription WHERE subscription_id = :id)""")
                .param("id", e.subscriptionId()).param("sku", plan.sku())
                .param("items", json.writeValueAsString(plan.items())).param("trial", plan.trial())
                .param("at", Timestamp.from(e.occurredAt())).update();
    }

    private Map<String, String> items(String text) {
        return json.readValue(text, new tools.jackson.core.type.TypeReference<java.util.TreeMap<String, String>>() { });
    }

    private void period(EventEnvelope e, String metering) {
        jdbc.sql("INSERT INTO metering_period_change (subscription_id, metering, changed_at) VALUES (:id, :m, :at)")
                .param("id", e.subscriptionId()).param("m", metering).param("at", Timestamp.from(e.occurredAt()))
                .update();
    }

    private List<Map<String, Object>> plans(String id) {
        return jdbc.sql("SELECT sku_id, billable_items, trial, changed_at FROM plan_change WHERE subscription_id = :id "
                        + "ORDER BY changed_at, seq")
                .param("id", id)
                .query((rs, i) -> {
                    Map<String, Object> plan = new java.util.LinkedHashMap<>();
                    plan.put("skuId", rs.getString(1));
                    plan.put("billableItems", items(rs.getString(2)));
                    plan.put("trial", rs.getBoolean(3));
                    plan.put("from", rs.getTimestamp(4).toInstant());
                    return plan;
                })
                .list();
    }

    @GetMapping("/api/billing/subscriptions/{id}")
    ResponseEntity<?> one(@PathVariable String id) {
        List<Map<String, Object>> periods = jdbc.sql(
                        "SELECT metering, changed_at FROM metering_period_change WHERE subscription_id = :id "
                                + "ORDER BY changed_at, seq")
                .param("id", id)
                .query((rs, i) -> {
                    Map<String, Object> period = new java.util.LinkedHashMap<>();
                    period.put("metering", rs.getString(1));
                    period.put("changedAt", rs.getTimestamp(2).toInstant());
                    return period;
                })
                .list();
        return jdbc.sql("SELECT * FROM metered_subscription WHERE subscription_id = :id").param("id", id)
                .query((rs, i) -> {
                    Map<String, Object> body = new java.util.LinkedHashMap<>();
                    body.put("subscriptionId", rs.getString("subscription_id"));
                    body.put("productCode", rs.getString("product_code"));
                    body.put("trial", rs.getBoolean("trial"));
                    body.put("metering", rs.getString("metering"));
                    body.put("changedAt", rs.getTimestamp("changed_at").toInstant());
                    body.put("periods", periods);
                    body.put("plans", plans(id));
                    return body;
                })
                .optional().<ResponseEntity<?>>map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND)
                        .body(Map.of("error", "not_found", "message", "no subscription " + id)));
    }
}
