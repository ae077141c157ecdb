package io.marketbill.billing.metering;

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

/**
 * Turns billing on and off with the subscription's lifecycle: on when opened or resumed, paused from the
 * moment it is frozen, ended when closed. Each switch is kept with its time, because usage is charged
 * only inside billing periods; the hourly rating reads them minute by minute.
 */
@RestController
class MeteringSwitch {

    private final JdbcClient jdbc;
    private final InboundEvents inbound;

    MeteringSwitch(JdbcClient jdbc, InboundEvents inbound) {
        this.jdbc = jdbc;
        this.inbound = inbound;
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
            }
            case SubscriptionChanged c when c.skuId() != null -> {
                // an upgrade: hours rated from now on use the new SKU's prices
                jdbc.sql("UPDATE metered_subscription SET sku_id = :sku WHERE subscription_id = :id")
                        .param("sku", c.skuId()).param("id", e.subscriptionId()).update();
            }
            case SubscriptionChanged _ -> { }  // no new SKU (a renewal, new items): billing goes on as it was
            case SubscriptionFrozen _ -> switchTo(e, "PAUSED", "BILLING");
            case SubscriptionResumed _ -> switchTo(e, "BILLING", "PAUSED");
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
        }
    }

    private void period(EventEnvelope e, String metering) {
        jdbc.sql("INSERT INTO metering_period_change (subscription_id, metering, changed_at) VALUES (:id, :m, :at)")
                .param("id", e.subscriptionId()).param("m", metering).param("at", Timestamp.from(e.occurredAt()))
                .update();
    }

    @GetMapping("/api/billing/subscriptions/{id}")
    ResponseEntity<?> one(@PathVariable String id) {
        List<Map<String, Object>> periods = jdbc.sql(
                        "SELECT metering, changed_at FROM metering_period_change WHERE subscription_id = :id ORDER BY seq")
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
                    return body;
                })
                .optional().<ResponseEntity<?>>map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND)
                        .body(Map.of("error", "not_found", "message", "no subscription " + id)));
    }
}
