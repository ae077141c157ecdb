package io.marketbill.billing.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.marketbill.billing.BillingTestBase;
import io.marketbill.billing.rating.HourClosing;
import io.marketbill.contracts.BillingChannelChanged;
import io.marketbill.contracts.SubscriptionBound;
import io.marketbill.contracts.SubscriptionUnbound;
import io.marketbill.contracts.Topics;
import io.marketbill.contracts.UsageForVendorBilling;
import io.marketbill.testsupport.Http;
import io.marketbill.testsupport.TopicRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The switch window (R15): usage between a subscription's close and another's binding within the grace period is
 * charged to the new subscription; without such a binding it is handed to the vendor's billing; until binding-service
 * says which, it is held, and the balance counts it. Figures worked out by hand (Zilliz: 1250 units a CU-hour).
 */
class SwitchWindowTest extends BillingTestBase {

    static final String ZILLIZ = "cmgj00063418";

    @Autowired HourClosing closing;

    private Instant at(int minute) {
        return hour.plus(Duration.ofMinutes(minute));
    }

    private void closeHoursThrough(int hours) {
        clock.set(hour.plus(Duration.ofHours(hours)).plus(Duration.ofMinutes(5)).plusSeconds(2));
        closing.closeDueHours();
    }

    private JsonNode balance(String org, int hours) {
        return read(Http.getAsOperator(port, "/api/billing/balance?organizationId=" + org + "&from=" + hour + "&to="
                + hour.plus(Duration.ofHours(hours))).body());
    }

    private static JsonNode line(JsonNode balance, Instant hourStart) {
        for (JsonNode h : balance.path("hours")) {
            if (Instant.parse(h.path("hourStart").asString()).equals(hourStart)) {
                return h;
            }
        }
        throw new AssertionError("no hour " + hourStart + " in " + balance);
    }

    private long ratedMicros(String subscriptionId, Instant hourStart) {
        return jdbc.sql("SELECT COALESCE(SUM(quantity_micros), 0) FROM rated_hour WHERE subscription_id = :s "
                        + "AND dimension = 'cu_hours' AND hour_start = :h")
                .param("s", subscriptionId).param("h", java.sql.Timestamp.from(hourStart)).query(Long.class).single();
    }

    private List<UsageForVendorBilling> handedOff(String key) {
        return TopicRecords.values(Topics.BILLING, key, Duration.ofSeconds(3)).stream().map(codec::decode)
                .filter(e -> e.payload() instanceof UsageForVendorBilling)
                .map(e -> e.payloadAs(UsageForVendorBilling.class)).toList();
    }

    private void closed(String org, String subscriptionId, int minute) {
        lifecycle(subscriptionId, at(minute), new SubscriptionUnbound(org, ZILLIZ, "1880000000000001",
                "SUBSCRIPTION_CLOSED", null));
        awaitRow("SELECT COUNT(*) FROM switch_window WHERE organization_id = '" + org + "' AND opened_at IS NOT NULL");
    }

    @Test
    void usageBetweenTheCloseAndABindingWithinTheGraceIsChargedToTheNewSubscription() {
        String org = "org-switch";
        String a = openAliyun(ZILLIZ, at(1), false);
        bind(org, a, ZILLIZ, at(1));
        closed(org, a, 10);
        String b = openAliyun(ZILLIZ, at(25), false);
        lifecycle(b, at(30), new SubscriptionBound(org, ZILLIZ, "1880000000000001", "u-admin", a));
        awaitRow("SELECT COUNT(*) FROM switch_window WHERE organization_id = '" + org + "' AND switched_to = '" + b
                + "'");
        clock.set(at(55));
        sendUsage(usage(org, null, "cu_hours", "1", at(5)),      // A's
                usage(org, null, "cu_hours", "2", at(15)),       // the switch window
                usage(org, null, "cu_hours", "0.4", at(29)),     // the window: ends at 30, when B was bound
                usage(org, null, "cu_hours", "1", at(40)));      // B's
        closeHoursThrough(1);

        assertThat(ratedMicros(a, hour)).isEqualTo(1_000_000);
        assertThat(ratedMicros(b, hour)).isEqualTo(1_000_000);
        // B was bound in an hour now closed: the window's usage is B's in its first open hour, the next
        assertThat(jdbc.sql("SELECT state, charged_subscription_id, charged_at, quantity_micros FROM switch_window_usage")
                .query((rs, n) -> tuple(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(),
                        rs.getLong(4))).list())
                .containsExactly(tuple("CHARGED", b, hour.plus(Duration.ofHours(1)), 2_400_000L));
        closeHoursThrough(2);
        assertThat(ratedMicros(b, hour.plus(Duration.ofHours(1)))).isEqualTo(2_400_000);
        assertThat(jdbc.sql("SELECT units FROM rated_hour WHERE subscription_id = :s AND dimension = 'cu_hours' "
                + "AND hour_start = :h").param("s", b).param("h", java.sql.Timestamp.from(hour.plus(Duration.ofHours(1))))
                .query(Long.class).single()).isEqualTo(3000);

        JsonNode balance = balance(org, 2);
        assertThat(balance.path("balanced").asBoolean()).as(balance.toString()).isTrue();
        JsonNode first = line(balance, hour);
        assertThat(first.path("input").asString()).isEqualTo("4.4");
        assertThat(first.path("switchWindow").asString()).isEqualTo("2.4");
        JsonNode second = line(balance, hour.plus(Duration.ofHours(1)));
        assertThat(second.path("input").asString()).isEqualTo("0");
        assertThat(second.path("movedIn").asString()).isEqualTo("2.4");
        assertThat(handedOff(a)).isEmpty();
        assertThat(handedOff(b)).isEmpty();
    }

    @Test
    void usageOfAWindowThatEndsWithoutABindingIsHeldUntilItEndsThenHandedToTheVendorsBilling() {
        String org = "org-no-switch";
        String a = openAliyun(ZILLIZ, at(1), false);
        bind(org, a, ZILLIZ, at(1));
        closed(org, a, 10);
        clock.set(at(55));
        sendUsage(usage(org, null, "cu_hours", "1", at(20)));
        closeHoursThrough(1);

        // the grace period runs on: held, and counted where it was used
        JsonNode held = line(balance(org, 1), hour);
        assertThat(held.path("balanced").asBoolean()).as(held.toString()).isTrue();
        assertThat(held.path("switchWindow").asString()).isEqualTo("1");
        assertThat(handedOff(a)).isEmpty();

        // the close action: back to the vendor's billing
        lifecycle(a, hour.plus(Duration.ofMinutes(70)), new BillingChannelChanged(org, "VENDOR", null, null));
        awaitRow("SELECT COUNT(*) FROM switch_window WHERE organization_id = '" + org + "' AND resolved_at IS NOT NULL");
        assertThat(closing.settleSwitchWindows()).isEqualTo(1);
        assertThat(closing.settleSwitchWindows()).isZero();

        JsonNode settled = line(balance(org, 1), hour);
        assertThat(settled.path("balanced").asBoolean()).as(settled.toString()).isTrue();
        assertThat(settled.path("switchWindow").asString()).isEqualTo("0");
        assertThat(settled.path("vendorBilling").path("SWITCH_WINDOW").asString()).isEqualTo("1");
        assertThat(handedOff(a)).extracting(UsageForVendorBilling::reason, UsageForVendorBilling::quantity,
                UsageForVendorBilling::amount, UsageForVendorBilling::organizationId)
                .containsExactly(tuple("SWITCH_WINDOW", "1", "1.25", org));
    }
}
