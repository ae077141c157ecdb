package io.marketbill.billing.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.marketbill.billing.BillingTestBase;
import io.marketbill.billing.ledger.LedgerSettlement;
import io.marketbill.billing.ledger.MeteringReporter;
import io.marketbill.billing.rating.HourClosing;
import io.marketbill.contracts.SubscriptionFrozen;
import io.marketbill.contracts.SubscriptionResumed;
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
 * Every accepted unit of usage ends reported to a marketplace, explicitly not chargeable, or handed to the vendor's
 * own billing, and the balance says so per organization and hour. The expected figures are worked out by hand from
 * the scenario (Zilliz: 1250 units a CU-hour at ¥0.001, whole fen are 10 units).
 */
class ConservationTest extends BillingTestBase {

    static final String ZILLIZ = "cmgj00063418";

    @Autowired HourClosing closing;
    @Autowired MeteringReporter reporter;
    @Autowired LedgerSettlement settlement;

    private Instant at(int minute) {
        return hour.plus(Duration.ofMinutes(minute));
    }

    private JsonNode balance(String query) {
        return read(Http.getAsOperator(port, "/api/billing/balance?" + query + "&from=" + hour + "&to="
                + hour.plus(Duration.ofHours(1))).body());
    }

    private static JsonNode line(JsonNode balance, String dimension) {
        for (JsonNode h : balance.path("hours")) {
            if (h.path("dimension").asString().equals(dimension)) {
                return h;
            }
        }
        throw new AssertionError("no " + dimension + " in " + balance);
    }

    private List<UsageForVendorBilling> handedOff(String key) {
        return TopicRecords.values(Topics.BILLING, key, Duration.ofSeconds(5)).stream().map(codec::decode)
                .filter(e -> e.payload() instanceof UsageForVendorBilling)
                .map(e -> e.payloadAs(UsageForVendorBilling.class)).toList();
    }

    private void closeTheHour() {
        clock.set(hour.plus(Duration.ofMinutes(65)).plusSeconds(2));
        closing.closeDueHours();
    }

    @Test
    void everyUnitOfAnOrganizationsHourIsReportedNotChargeableOrHandedToTheVendorsBilling() {
        String never = "aliyun:NEVER-" + java.util.UUID.randomUUID();
        String s = openAliyun(ZILLIZ, at(1), false);
        bind("org-c", s, ZILLIZ, at(5));
        lifecycle(s, at(20), new SubscriptionFrozen("EXPIRED", null));
        lifecycle(s, at(30), new SubscriptionResumed(null, null));
        lifecycle(s, at(45), new SubscriptionUnbound("org-c", ZILLIZ, "acct", "UNBOUND_BY_USER", "u-admin"));
        awaitRow("SELECT COUNT(*) FROM binding_period WHERE organization_id = 'org-c' AND unbound_at IS NOT NULL");
        clock.set(at(55));
        sendUsage(usage("org-c", null, "cu_hours", "1", at(2)),           // before the binding: no one pays
                usage("org-c", null, "cu_hours", "1", at(10)),            // billed
                usage("org-c", null, "cu_hours", "1", at(25)),            // frozen
                usage("org-c", null, "cu_hours", "1", at(35)),            // billed
                usage("org-c", null, "cu_hours", "1", at(50)),            // unbound again
                usage("org-c", null, "storage_gb_hours", "3", at(12)),    // billed: 3 units, under a fen, carried
                usage(null, never, "cu_hours", "0.5", at(15)));
        closeTheHour();
        reporter.report();

        JsonNode b = balance("organizationId=org-c");
        assertThat(b.path("balanced").asBoolean()).as(b.toString()).isTrue();
        JsonNode cu = line(b, "cu_hours");
        assertThat(cu.path("input").asString()).isEqualTo("5");
        assertThat(cu.path("billedReported").asString()).isEqualTo("2");
        assertThat(cu.path("vendorBilling").path("UNBOUND").asString()).isEqualTo("2");
        assertThat(cu.path("vendorBilling").path("PAUSED").asString()).isEqualTo("1");
        assertThat(line(b, "storage_gb_hours").path("billedReported").asString()).isEqualTo("3");
        // the money of what was billed: 2 × 1250 units charged, 3 storage units carried
        assertThat(b.path("money")).anySatisfy(m -> {
            assertThat(m.path("dimension").asString()).isEqualTo("cu_hours");
            assertThat(m.path("units").asLong()).isEqualTo(2500);
            assertThat(m.path("ledgerUnits").asLong()).isEqualTo(2500);
            assertThat(m.path("balanced").asBoolean()).isTrue();
        }).anySatisfy(m -> {
            assertThat(m.path("dimension").asString()).isEqualTo("storage_gb_hours");
            assertThat(m.path("units").asLong()).isZero();
            assertThat(m.path("carryOut").asString()).isEqualTo("3");
        });
        JsonNode unknown = balance("subscriptionId=" + never);
        assertThat(line(unknown, "cu_hours").path("vendorBilling").path("UNKNOWN_SUBSCRIPTION").asString())
                .isEqualTo("0.5");

        // what no marketplace bills is handed to the vendor's billing, with its value at the listing's price
        assertThat(handedOff(s)).extracting(UsageForVendorBilling::reason, UsageForVendorBilling::quantity,
                        UsageForVendorBilling::amount, UsageForVendorBilling::organizationId)
                .containsExactlyInAnyOrder(tuple("UNBOUND", "2", "2.50", "org-c"), tuple("PAUSED", "1", "1.25", "org-c"));
        assertThat(handedOff(never)).extracting(UsageForVendorBilling::reason)
                .containsExactly("UNKNOWN_SUBSCRIPTION");
    }

    @Test
    void usageOfAnOrganizationNoSubscriptionEverPaidForIsHandedOffKeyedByTheOrganization() {
        clock.set(at(55));
        String org = "org-alone-" + java.util.UUID.randomUUID();
        sendUsage(usage(org, null, "cu_hours", "1.5", at(10)));
        closeTheHour();
        assertThat(line(balance("organizationId=" + org), "cu_hours").path("balanced").asBoolean()).isTrue();
        assertThat(handedOff(org)).extracting(UsageForVendorBilling::reason, UsageForVendorBilling::quantity,
                UsageForVendorBilling::amount, UsageForVendorBilling::subscriptionId)
                .containsExactly(tuple("UNBOUND", "1.5", null, null));
    }

    @Test
    void aRecordTheMarketplaceRefusesForGoodHandsItsUsageAndAmountToTheVendorsBilling() {
        String s = openAliyun(ZILLIZ, at(1), false);
        bind("org-r", s, ZILLIZ, at(1));
        clock.set(at(55));
        sendUsage(usage("org-r", null, "cu_hours", "0.4", at(10)));
        closeTheHour();
        long id = jdbc.sql("SELECT id FROM metering_record WHERE subscription_id = :s").param("s", s)
                .query(Long.class).single();
        jdbc.sql("UPDATE metering_record SET state = 'SENT' WHERE id = :id").param("id", id).update();
        assertThat(settlement.rejected(id, "Invalid.Parameter.Metering")).isTrue();

        JsonNode cu = line(balance("organizationId=org-r"), "cu_hours");
        assertThat(cu.path("billedRefused").asString()).isEqualTo("0.4");
        assertThat(cu.path("balanced").asBoolean()).isTrue();
        assertThat(handedOff(s)).extracting(UsageForVendorBilling::reason, UsageForVendorBilling::quantity,
                UsageForVendorBilling::amount, UsageForVendorBilling::organizationId)
                .containsExactly(tuple("MARKETPLACE_REFUSED", "0.4", "0.50", "org-r"));
    }
}
