package io.marketbill.billing.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.billing.BillingTestBase;
import io.marketbill.billing.rating.HourClosing;
import io.marketbill.contracts.SubscriptionIds;
import io.marketbill.contracts.SubscriptionOpened;
import io.marketbill.testsupport.Http;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * One deployment, a vendor listed on AWS China and on AWS global: each listing's usage is metered as the seller
 * account that lists it, in its own partition (its region in the signature, its credentials, its endpoint). Each
 * simulated AWS only takes calls signed for its own region with its own key, as AWS does.
 */
class AwsAccountsTest extends BillingTestBase {

    @Autowired HourClosing closing;
    @Autowired MeteringReporter reporter;

    private String open(int simulator, String productCode) {
        JsonNode c = read(Http.requestAsOperator(simulator, "POST", "/sim/aws/customers", "{\"productCode\":\"" + productCode
                + "\",\"accountId\":\"" + (100000000000L + (long) (Math.random() * 1e11)) + "\"}",
                "Content-Type", "application/json").body());
        String id = SubscriptionIds.aws(c.path("accountId").asString(), c.path("licenseArn").asString());
        lifecycle(id, hour.plusSeconds(60), new SubscriptionOpened(productCode, null, false, c.path("accountId").asString(),
                null, null, Map.of(), c.path("customerIdentifier").asString(), c.path("licenseArn").asString()));
        awaitRow("SELECT COUNT(*) FROM metered_subscription WHERE subscription_id = '" + id + "'");
        return id;
    }

    private List<String> licensesMeteredAt(int simulator) {
        List<String> out = new ArrayList<>();
        read(Http.getAsOperator(simulator, "/sim/aws/metering").body()).forEach(r -> out.add(r.path("LicenseArn").asString()));
        return out;
    }

    @Test
    void eachListingIsMeteredAsTheSellerAccountThatListsIt() {
        String china = open(simulatorPort, "zilliz-cloud-aws-cn");
        String global = open(globalSimulatorPort, "zilliz-cloud-aws-global");
        sendUsage(usage(null, china, "cu_hours", "1", hour.plusSeconds(300)),
                usage(null, global, "cu_hours", "2", hour.plusSeconds(300)));
        clock.set(hour.plus(Duration.ofMinutes(65)).plusSeconds(2));
        closing.closeDueHours();
        reporter.report();
        for (String s : List.of(china, global)) {
            assertThat(jdbc.sql("SELECT state FROM metering_record WHERE subscription_id = :s").param("s", s)
                    .query(String.class).single()).as(s).isEqualTo("ACCEPTED");
        }
        String chinaLicense = china.substring(china.lastIndexOf(':') + 1);
        String globalLicense = global.substring(global.lastIndexOf(':') + 1);
        assertThat(licensesMeteredAt(simulatorPort)).anyMatch(l -> l.endsWith(chinaLicense))
                .noneMatch(l -> l.endsWith(globalLicense));
        assertThat(licensesMeteredAt(globalSimulatorPort)).anyMatch(l -> l.endsWith(globalLicense))
                .noneMatch(l -> l.endsWith(chinaLicense));
    }
}
