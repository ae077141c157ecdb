package io.marketbill.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** AWS defaults that follow the region, as the gateway's do, and China's record-age rule. */
class BillingPropertiesTest {

    static BillingProperties.Aws aws(String region, Duration deadline, BillingProperties.Aws.RecordTimestamp stamp) {
        return new BillingProperties.Aws(null, region, "k", "s", null, java.util.Map.of(), deadline, stamp, true,
                false, Duration.ofSeconds(10));
    }

    @Test
    void theEndpointAndDeadlineFollowTheRegionAndItsPartition() {
        BillingProperties.Aws global = aws(null, null, null);
        assertThat(global.region()).isEqualTo("us-east-1");
        assertThat(global.endpoint()).isEqualTo(URI.create("https://metering.marketplace.us-east-1.amazonaws.com"));
        assertThat(global.deadline(null)).isEqualTo(Duration.ofHours(6));
        BillingProperties.Aws china = aws("cn-northwest-1", null, null);
        assertThat(china.account(null).orElseThrow().meteringEndpoint())
                .isEqualTo(URI.create("https://metering.marketplace.cn-northwest-1.amazonaws.com.cn"));
        // "AWS Marketplace can only accept records for up to an hour in the past": a record stamped with its hour's
        // last second is taken until 1 h 59 min 59 s after the hour started
        assertThat(china.deadline(null)).isEqualTo(Duration.ofMinutes(119));
        assertThat(aws("cn-northwest-1", Duration.ofHours(6), null).deadline(null)).isEqualTo(Duration.ofHours(6));
        // one deployment, two partitions: each listing's deadline is its account's
        BillingProperties.Aws both = new BillingProperties.Aws(null, "us-east-1", "k", "default-secret-value", null,
                java.util.Map.of("china", new io.marketbill.protocols.aws.AwsAccount("cn-northwest-1", null, "ck",
                        "china-secret-value", null)), null, null,
                true, false, Duration.ofSeconds(10));
        assertThat(both.deadline(null)).isEqualTo(Duration.ofHours(6));
        assertThat(both.deadline("china")).isEqualTo(Duration.ofMinutes(119));
        assertThat(both.account("china").orElseThrow().meteringEndpoint().getHost())
                .isEqualTo("metering.marketplace.cn-northwest-1.amazonaws.com.cn");
        assertThat(both.account("nowhere")).isEmpty();
        assertThat(both.toString()).doesNotContain("china-secret-value").doesNotContain("default-secret-value");
        assertThatThrownBy(() -> aws("us-east-1", Duration.ofMinutes(59), null))
                .hasMessageContaining("marketbill.billing.aws.deadline must be over one hour");
    }

    @Test
    void anHoursRecordIsStampedWithinItsHourNeverAfterItWasRated() {
        Instant hour = Instant.parse("2026-12-02T08:00:00Z");
        BillingProperties.Aws end = aws("cn-northwest-1", null, null);
        // closed after the hour: its last second, the youngest time AWS buckets into that hour
        assertThat(end.timestamp(hour, hour.plusSeconds(3600 + 630))).isEqualTo(hour.getEpochSecond() + 3599);
        // a final flush 23 minutes in: not in the future
        assertThat(end.timestamp(hour, hour.plusSeconds(23 * 60))).isEqualTo(hour.getEpochSecond() + 23 * 60);
        BillingProperties.Aws start = aws("us-east-1", null, BillingProperties.Aws.RecordTimestamp.START_OF_HOUR);
        assertThat(start.timestamp(hour, hour.plusSeconds(4000))).isEqualTo(hour.getEpochSecond());
    }
}
