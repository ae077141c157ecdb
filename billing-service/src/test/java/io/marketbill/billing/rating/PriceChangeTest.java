package io.marketbill.billing.rating;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.billing.BillingTestBase;
import io.marketbill.contracts.SubscriptionChanged;
import io.marketbill.testsupport.Http;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * An upgrade or downgrade prices usage from its minute: the minutes before it at the old SKU, the minutes after at
 * the new one, and an hour already rated is never rated again. The expected units are worked out by hand from the
 * test catalog (Zilliz: 1250 units per CU-hour, 1500 for SKU {@code pro}; whole fen are 10 units).
 */
class PriceChangeTest extends BillingTestBase {

    static final String ZILLIZ = "cmgj00063418";

    @Autowired HourClosing closing;

    private Instant at(int minute, int second) {
        return hour.plus(Duration.ofMinutes(minute)).plusSeconds(second);
    }

    private void closeThrough(Instant end) {
        clock.set(end.plus(Duration.ofMinutes(5)).plusSeconds(2));
        closing.closeDueHours();
    }

    private long units(String subscriptionId, Instant hourStart) {
        return count("SELECT COALESCE(SUM(units), 0) FROM rated_hour WHERE subscription_id = '" + subscriptionId
                + "' AND dimension = 'cu_hours' AND hour_start = '" + hourStart + "'");
    }

    private String priceVersion(String subscriptionId, Instant hourStart) {
        return jdbc.sql("SELECT price_version FROM rated_hour WHERE subscription_id = :s AND dimension = 'cu_hours' "
                        + "AND hour_start = :h")
                .param("s", subscriptionId).param("h", java.sql.Timestamp.from(hourStart)).query(String.class).single();
    }

    private void changePlan(String subscriptionId, Instant at, String sku, Map<String, String> items) {
        long before = count("SELECT COUNT(*) FROM plan_change WHERE subscription_id = '" + subscriptionId + "'");
        lifecycle(subscriptionId, at, new SubscriptionChanged("UPGRADED", "o-up", sku, null, items));
        awaitRow("SELECT COUNT(*) - " + before + " FROM plan_change WHERE subscription_id = '" + subscriptionId + "'");
    }

    @Test
    void anUpgradeInTheMiddleOfAnHourPricesTheMinutesBeforeItAtTheOldSkuAndFromItsMinuteOnAtTheNew() {
        String s = openAliyun(ZILLIZ, at(1, 0), false);
        bind("org-up", s, ZILLIZ, at(1, 0));
        // minute 10 at payg; minute 30, during which the upgrade comes, and minute 45 at pro
        clock.set(at(50, 0));
        sendUsage(usage("org-up", null, "cu_hours", "1", at(10, 0)),
                usage("org-up", null, "cu_hours", "1", at(30, 5)),
                usage(null, s, "cu_hours", "1", at(45, 0)));
        changePlan(s, at(30, 20), "pro", Map.of());

        closeThrough(hour.plus(Duration.ofHours(1)));
        // 1 × 1250 + 2 × 1500
        assertThat(units(s, hour)).isEqualTo(4250);
        assertThat(priceVersion(s, hour)).isEqualTo("2026-01-01T00:00:00Z (payg), 2026-01-01T00:00:00Z (pro)");

        // the next hour is all at pro
        Instant next = hour.plus(Duration.ofHours(1));
        clock.set(next.plusSeconds(600));
        sendUsage(usage("org-up", null, "cu_hours", "0.5", next.plusSeconds(60)));
        closeThrough(next.plus(Duration.ofHours(1)));
        assertThat(units(s, next)).isEqualTo(750);
        assertThat(priceVersion(s, next)).isEqualTo("2026-01-01T00:00:00Z");
    }

    @Test
    void aChangeThatArrivesAfterItsHourWasRatedLeavesThatHourAsItWasAndPricesTheHoursAfter() {
        String s = openAliyun(ZILLIZ, at(1, 0), false);
        clock.set(at(50, 0));
        sendUsage(usage(null, s, "cu_hours", "2", at(40, 0)));
        closeThrough(hour.plus(Duration.ofHours(1)));
        assertThat(units(s, hour)).isEqualTo(2500);

        // an upgrade to pro, stamped inside the hour already rated
        changePlan(s, at(20, 0), "pro", Map.of());
        Instant next = hour.plus(Duration.ofHours(1));
        clock.set(next.plusSeconds(600));
        sendUsage(usage(null, s, "cu_hours", "1", next.plusSeconds(60)));
        closeThrough(next.plus(Duration.ofHours(1)));
        assertThat(units(s, hour)).as("never rated again").isEqualTo(2500);
        assertThat(count("SELECT COUNT(*) FROM rated_hour WHERE subscription_id = '" + s + "' AND hour_start = '"
                + hour + "'")).isEqualTo(2);
        assertThat(units(s, next)).isEqualTo(1500);
    }

    @Test
    void extraBillableItemsAreKeptWithTheirTimeAndTheSkuStaysWhenOnlyTheyChange() {
        String s = openAliyun(ZILLIZ, at(1, 0), false);
        changePlan(s, at(25, 0), null, Map.of("Count", "3"));
        changePlan(s, at(35, 0), "pro", Map.of());
        JsonNode plans = read(Http.getAsOperator(port, "/api/billing/subscriptions/" + s).body()).path("plans");
        assertThat(plans).hasSize(3);
        assertThat(plans.get(0).path("skuId").asString()).isEqualTo("payg");
        assertThat(plans.get(1).path("skuId").asString()).as("only the items changed").isEqualTo("payg");
        assertThat(plans.get(1).path("billableItems").path("Count").asString()).isEqualTo("3");
        assertThat(plans.get(1).path("from").asString()).isEqualTo(at(25, 0).toString());
        assertThat(plans.get(2).path("skuId").asString()).isEqualTo("pro");
        assertThat(plans.get(2).path("billableItems").path("Count").asString()).as("the items carry over")
                .isEqualTo("3");
    }
}
