package io.marketbill.billing.rating;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.marketbill.billing.BillingTestBase;
import io.marketbill.contracts.Topics;
import io.marketbill.contracts.UsageForVendorBilling;
import io.marketbill.contracts.UsageRecorded;
import io.marketbill.testsupport.TopicRecords;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * One subscription pays for every cloud its organization's resources run on (R4), each cloud's usage at the
 * listing's price for that cloud. Figures by hand from the test catalog: Zilliz storage is 1 unit a GB-hour, 2 on
 * AWS, at ¥0.001 a unit.
 */
class MultiCloudTest extends BillingTestBase {

    static final String ZILLIZ = "cmgj00063418";

    @Autowired HourClosing closing;

    private Instant at(int minute) {
        return hour.plus(Duration.ofMinutes(minute));
    }

    private UsageRecorded on(String cloud, String org, String dimension, String quantity, Instant at) {
        return new UsageRecorded("//test/platform", UUID.randomUUID().toString(), at, org, null, dimension,
                new BigDecimal(quantity), cloud);
    }

    @Test
    void oneBoundSubscriptionPaysForEveryCloudEachAtItsPriceInOneRecordPerDimension() {
        String s = openAliyun(ZILLIZ, at(1), false);
        bind("org-clouds", s, ZILLIZ, at(5));
        clock.set(at(55));
        sendUsage(on(null, "org-clouds", "storage_gb_hours", "100", at(10)),
                on("aliyun", "org-clouds", "storage_gb_hours", "100", at(11)),
                on("aws", "org-clouds", "storage_gb_hours", "100", at(12)),
                on("azure", "org-clouds", "cu_hours", "1", at(13)),
                on("aws", "org-clouds", "storage_gb_hours", "10", at(2)));   // before the binding: no one pays
        clock.set(hour.plus(Duration.ofMinutes(65)).plusSeconds(2));
        closing.closeDueHours();

        // 100 + 100 at 1 unit, 100 at 2 units on AWS: 400 units in one record
        assertThat(jdbc.sql("SELECT dimension, quantity_micros, units, price_version FROM rated_hour "
                        + "WHERE subscription_id = :s ORDER BY dimension").param("s", s)
                .query((rs, n) -> tuple(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getString(4))).list())
                .containsExactly(tuple("cu_hours", 1_000_000L, 1250L, "2026-01-01T00:00:00Z"),
                        tuple("storage_gb_hours", 300_000_000L, 400L,
                                "2026-01-01T00:00:00Z, 2026-01-01T00:00:00Z on aws"));
        assertThat(jdbc.sql("SELECT dimension, units FROM metering_record WHERE subscription_id = :s "
                        + "ORDER BY dimension").param("s", s)
                .query((rs, n) -> tuple(rs.getString(1), rs.getLong(2))).list())
                .containsExactly(tuple("cu_hours", 1250L), tuple("storage_gb_hours", 400L));

        // what no one pays for keeps its cloud and is valued at that cloud's price: 10 GB-hours × 2 units × ¥0.001
        assertThat(TopicRecords.values(Topics.BILLING, s, Duration.ofSeconds(3)).stream().map(codec::decode)
                .filter(e -> e.payload() instanceof UsageForVendorBilling)
                .map(e -> e.payloadAs(UsageForVendorBilling.class)))
                .extracting(UsageForVendorBilling::reason, UsageForVendorBilling::quantity,
                        UsageForVendorBilling::amount, UsageForVendorBilling::cloud)
                .containsExactly(tuple("UNBOUND", "10", "0.02", "aws"));
        assertThat(read(io.marketbill.testsupport.Http.getAsOperator(port, "/api/billing/balance?organizationId=org-clouds").body())
                .path("balanced").asBoolean()).isTrue();
    }
}
