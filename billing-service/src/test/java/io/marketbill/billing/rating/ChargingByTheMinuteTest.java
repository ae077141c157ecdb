package io.marketbill.billing.rating;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.billing.BillingTestBase;
import io.marketbill.billing.ledger.MeteringReporter;
import io.marketbill.contracts.SubscriptionClosed;
import io.marketbill.contracts.SubscriptionFrozen;
import io.marketbill.contracts.SubscriptionResumed;
import io.marketbill.contracts.SubscriptionUnbound;
import io.marketbill.testsupport.Http;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Who pays for each minute: freezes, closes, re-bindings, trials and organizations nobody pays for. */
class ChargingByTheMinuteTest extends BillingTestBase {

    static final String ZILLIZ = "cmgj00063418";

    @Autowired HourClosing closing;
    @Autowired MeteringReporter reporter;

    private Instant at(int minute) {
        return hour.plus(Duration.ofMinutes(minute));
    }

    private void closeTheHour() {
        clock.set(hour.plus(Duration.ofMinutes(65)).plusSeconds(2));
        closing.closeDueHours();
    }

    private long rated(String subscriptionId) {
        return count("SELECT COALESCE(SUM(quantity_micros), 0) FROM rated_hour WHERE subscription_id = '" + subscriptionId
                + "' AND dimension = 'cu_hours'");
    }

    private long units(String subscriptionId) {
        return count("SELECT COALESCE(SUM(units), 0) FROM rated_hour WHERE subscription_id = '" + subscriptionId
                + "' AND dimension = 'cu_hours'");
    }

    private List<String> unbilled() {
        return jdbc.sql("SELECT subject || ' ' || reason || ' ' || quantity_micros FROM unbilled_hour ORDER BY 1")
                .query(String.class).list();
    }

    @Test
    void billingStopsFromTheMomentOfFreezingContinuesOnResumeAndEndsWithAFinalFlushOnClose() {
        String s = openAliyun(ZILLIZ, at(1), false);
        bind("org-a", s, ZILLIZ, at(1));
        lifecycle(s, at(20), new SubscriptionFrozen("EXPIRED", null));
        lifecycle(s, at(40), new SubscriptionResumed(null, null));
        lifecycle(s, at(50), new SubscriptionClosed(false, null, "RELEASED"));
        awaitRow("SELECT COUNT(*) FROM metered_subscription WHERE metering = 'ENDED'");
        clock.set(at(52));
        sendUsage(usage("org-a", null, "cu_hours", "1", at(10)),   // billing
                usage("org-a", null, "cu_hours", "1", at(30)),     // frozen
                usage("org-a", null, "cu_hours", "1", at(45)),     // resumed
                usage("org-a", null, "cu_hours", "1", at(51)));    // closed

        // the final flush does not wait for the hour to end
        assertThat(closing.flushClosedSubscriptions()).isEqualTo(1);
        assertThat(rated(s)).isEqualTo(2_000_000);
        assertThat(units(s)).isEqualTo(2500);
        reporter.report();
        assertThat(count("SELECT COUNT(*) FROM metering_record WHERE state = 'ACCEPTED' AND subscription_id = '" + s + "'"))
                .isEqualTo(1);

        // usage from before the close that arrives after the flush is kept, not charged twice, not lost
        sendUsage(usage("org-a", null, "cu_hours", "0.5", at(49)));
        closeTheHour();
        assertThat(rated(s)).isEqualTo(2_000_000);
        assertThat(unbilled()).containsExactlyInAnyOrder("org:org-a ENDED 1000000", "org:org-a PAUSED 1000000",
                "org:org-a AFTER_FINAL_FLUSH 500000");
        assertThat(count("SELECT COUNT(*) FROM rated_hour WHERE subscription_id = '" + s + "' AND hour_start > '"
                + java.sql.Timestamp.from(hour) + "'")).as("nothing after the close").isZero();
    }

    @Test
    void usageIsChargedToTheSubscriptionBoundToTheOrganizationAtThatMinute() {
        String first = openAliyun(ZILLIZ, at(1), false);
        String second = openAliyun(ZILLIZ, at(1), false);
        bind("org-s", first, ZILLIZ, at(1));
        lifecycle(first, at(30), new SubscriptionUnbound("org-s", ZILLIZ, "acct", "UNBOUND_BY_USER", "u-admin"));
        awaitRow("SELECT COUNT(*) FROM binding_period WHERE unbound_at IS NOT NULL");
        bind("org-s", second, ZILLIZ, at(30));
        clock.set(at(59));
        sendUsage(usage("org-s", null, "cu_hours", "1", at(10)), usage("org-s", null, "cu_hours", "2", at(29)),
                usage("org-s", null, "cu_hours", "4", at(30)), usage("org-s", null, "cu_hours", "8", at(59)));
        closeTheHour();
        assertThat(rated(first)).isEqualTo(3_000_000);
        assertThat(rated(second)).isEqualTo(12_000_000);
        assertThat(unbilled()).isEmpty();
    }

    @Test
    void trialsAreMeteredButRatedAtZeroAndUnboundUsageIsKeptAsUnbilled() {
        String trial = openAliyun(ZILLIZ, at(1), true);
        bind("org-t", trial, ZILLIZ, at(1));
        sendUsage(usage("org-t", null, "cu_hours", "4", at(10)), usage("org-u", null, "cu_hours", "1.25", at(10)),
                usage(null, "aliyun:NEVER-OPENED", "cu_hours", "1", at(10)),
                usage("org-t", null, "gpu_hours", "1", at(10)));
        closeTheHour();
        reporter.report();
        assertThat(rated(trial)).isEqualTo(4_000_000);
        assertThat(units(trial)).isZero();
        assertThat(count("SELECT COUNT(*) FROM metering_record")).as("Alibaba gets no zero hours").isZero();
        assertThat(jdbc.sql("SELECT trial FROM rated_hour WHERE subscription_id = :s AND dimension = 'cu_hours'")
                .param("s", trial).query(Boolean.class).single()).isTrue();
        assertThat(unbilled()).containsExactlyInAnyOrder("org:org-u UNBOUND 1250000",
                "sub:aliyun:NEVER-OPENED UNKNOWN_SUBSCRIPTION 1000000", "org:org-t UNKNOWN_DIMENSION 1000000");
        JsonNode overview = read(getAs("member-of-org-u", "/api/billing/organizations/org-u/overview").body());
        assertThat(overview.path("billing").path("channel").asString()).isEqualTo("VENDOR");
        assertThat(overview.path("unbilledHours").get(0).path("reason").asString()).isEqualTo("UNBOUND");
        assertThat(overview.path("unbilledHours").get(0).path("quantity").asString()).isEqualTo("1.25");
    }

    @Test
    void theOverviewShowsTheChannelThisHourAndTheReportedHoursWithALinkToTheBill() {
        String s = openAliyun(ZILLIZ, at(1), false);
        bind("org-o", s, ZILLIZ, at(1));
        sendUsage(usage("org-o", null, "cu_hours", "2", at(10)));
        closeTheHour();
        reporter.report();
        clock.set(hour.plus(Duration.ofMinutes(70)));
        sendUsage(usage("org-o", null, "cu_hours", "0.5", hour.plus(Duration.ofMinutes(66))));
        JsonNode o = read(getAs("member-of-org-o", "/api/billing/organizations/org-o/overview").body());
        JsonNode billing = o.path("billing");
        assertThat(billing.path("channel").asString()).isEqualTo("MARKETPLACE");
        assertThat(billing.path("marketplace").asString()).isEqualTo("aliyun");
        assertThat(billing.path("instanceId").asString()).isEqualTo(s.substring(7));
        assertThat(billing.path("marketplaceAccountId").asString()).isEqualTo("1880000000000001");
        assertThat(billing.path("productName").asString()).isEqualTo("Zilliz Cloud");
        assertThat(billing.path("marketplaceBill").asString()).startsWith("https://usercenter2.aliyun.com/");
        // 0.5 CU-hours × 1250 = 625 units of ¥0.001; in whole fen (10 units) that is 620 so far, ¥0.62
        JsonNode cu = o.path("thisHour").path("dimensions").get(0);
        assertThat(cu.path("dimension").asString()).isEqualTo("cu_hours");
        assertThat(cu.path("units").asLong()).isEqualTo(620);
        assertThat(cu.path("yuan").asString()).isEqualTo("0.62");
        assertThat(o.path("thisHour").path("yuan").asString()).isEqualTo("0.62");
        List<String> reported = new ArrayList<>();
        o.path("reportedHours").forEach(r -> reported.add(r.path("hourStart").asString() + " " + r.path("units").asLong()
                + " " + r.path("state").asString()));
        assertThat(reported).containsExactly(hour + " 2500 ACCEPTED");

        // members and operators only: binding-service, which owns the directory, decides
        assertThat(getAs("operator", "/api/billing/organizations/org-o/overview").statusCode()).isEqualTo(200);
        assertThat(getAs("member-of-org-u", "/api/billing/organizations/org-o/overview").statusCode()).isEqualTo(404);
        assertThat(getAs(null, "/api/billing/organizations/org-o/overview").statusCode()).isEqualTo(401);
        assertThat(getAs("expired", "/api/billing/organizations/org-o/overview").statusCode()).isEqualTo(401);
    }

    @Autowired io.marketbill.messaging.exclusive.ExclusiveRuns exclusive;

    @Test
    void anOperatorMayReportOneSubscriptionsHourEarlyWhileItStaysOpenForEveryoneElse() {
        String early = openAliyun(ZILLIZ, at(1), false);
        String other = openAliyun(ZILLIZ, at(1), false);
        sendUsage(usage(null, early, "cu_hours", "1", at(5)), usage(null, other, "cu_hours", "1", at(5)));
        String through = hour.plus(Duration.ofHours(1)).toString();
        var r = Http.requestAsOperator(port, "POST", "/api/billing/hours/close?through=" + through + "&subscriptionId="
                + java.net.URLEncoder.encode(early, java.nio.charset.StandardCharsets.UTF_8), null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(rated(early)).isEqualTo(1_000_000);
        assertThat(rated(other)).as("not closed for the others").isZero();
        assertThat(count("SELECT COUNT(*) FROM metering_record WHERE state = 'ACCEPTED' AND subscription_id = '" + early
                + "'")).isEqualTo(1);
        // the hour is still open: more usage is taken, and the early one's is kept aside, not charged twice
        sendUsage(usage(null, early, "cu_hours", "2", at(8)), usage(null, other, "cu_hours", "2", at(8)));
        assertThat(count("SELECT COUNT(*) FROM usage_rejection")).isZero();
        closeTheHour();
        assertThat(rated(other)).isEqualTo(3_000_000);
        assertThat(rated(early)).isEqualTo(1_000_000);
        assertThat(unbilled()).containsExactly("sub:" + early + " AFTER_FINAL_FLUSH 2000000");
        assertThat(Http.requestAsOperator(port, "POST", "/api/billing/hours/close?through=2026-11-23T08:30:00Z", null).statusCode())
                .isEqualTo(400);
    }

    @Test
    void hoursAreClosedByOneReplicaAtATime() {
        // another replica holds the job (its own database session)
        var busy = exclusive.runExclusively("billing.hour-closing", () ->
                Http.requestAsOperator(port, "POST", "/api/billing/hours/close", null));
        assertThat(busy).get().satisfies(r -> {
            assertThat(r.statusCode()).isEqualTo(409);
            assertThat(r.body()).contains("\"busy\"");
        });
        assertThat(Http.requestAsOperator(port, "POST", "/api/billing/hours/close", null).statusCode()).isEqualTo(200);
    }
}
