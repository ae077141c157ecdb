package io.marketbill.billing.rating;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.billing.BillingTestBase;
import io.marketbill.billing.ledger.MeteringReporter;
import io.marketbill.contracts.SubscriptionChanged;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Trials as each marketplace defines them (TrialRules): AWS prices trial usage itself, so it is reported at its
 * normal quantities; an Alibaba trial instance is not charged until its trial ends with a renewal, from that
 * minute on. Units worked out by hand (1250 a CU-hour).
 */
class TrialsTest extends BillingTestBase {

    static final String ZILLIZ = "cmgj00063418";
    static final String ZILLIZ_AWS = "zilliz-cloud-aws-cn";

    @Autowired HourClosing closing;
    @Autowired MeteringReporter reporter;

    private Instant at(int minute) {
        return hour.plus(Duration.ofMinutes(minute));
    }

    private void closeTheHour() {
        clock.set(hour.plus(Duration.ofMinutes(65)).plusSeconds(2));
        closing.closeDueHours();
    }

    private long units(String subscriptionId) {
        return count("SELECT COALESCE(SUM(units), 0) FROM rated_hour WHERE subscription_id = '" + subscriptionId
                + "' AND dimension = 'cu_hours'");
    }

    @Test
    void anAwsFreeTrialIsMeteredAndReportedAtItsNormalQuantitiesForAwsToPriceAtZero() {
        String s = openAws(ZILLIZ_AWS, at(1), true);
        clock.set(at(50));
        sendUsage(usage(null, s, "cu_hours", "1", at(20)));
        closeTheHour();
        assertThat(units(s)).isEqualTo(1250);
        assertThat(jdbc.sql("SELECT trial FROM rated_hour WHERE subscription_id = :s").param("s", s)
                .query(Boolean.class).single()).as("still marked as a trial hour").isTrue();
        reporter.report();
        assertThat(jdbc.sql("SELECT units || ' ' || state FROM metering_record WHERE subscription_id = :s")
                .param("s", s).query(String.class).single()).isEqualTo("1250 ACCEPTED");
    }

    @Test
    void anAlibabaTrialIsChargedFromTheMinuteItsRenewalEndsIt() {
        String s = openAliyun(ZILLIZ, at(1), true);
        clock.set(at(50));
        sendUsage(usage(null, s, "cu_hours", "1", at(10)), usage(null, s, "cu_hours", "1", at(40)));
        long plans = count("SELECT COUNT(*) FROM plan_change WHERE subscription_id = '" + s + "'");
        lifecycle(s, at(30), new SubscriptionChanged("RENEWED", "o-renew", null, null, Map.of()));
        awaitRow("SELECT COUNT(*) - " + plans + " FROM plan_change WHERE subscription_id = '" + s + "'");
        closeTheHour();
        // minute 10 was a trial minute, minute 40 is paid
        assertThat(units(s)).isEqualTo(1250);
        assertThat(count("SELECT COUNT(*) FROM metered_subscription WHERE subscription_id = '" + s
                + "' AND NOT trial")).isEqualTo(1);
    }

    @Test
    void aRenewalOfAPaidSubscriptionChangesNoPlan() {
        String s = openAliyun(ZILLIZ, at(1), false);
        lifecycle(s, at(30), new SubscriptionChanged("RENEWED", "o-renew", null, null, Map.of()));
        String marker = openAliyun(ZILLIZ, at(31), false); // events of one consumer are applied in order
        awaitRow("SELECT COUNT(*) FROM plan_change WHERE subscription_id = '" + marker + "'");
        assertThat(count("SELECT COUNT(*) FROM plan_change WHERE subscription_id = '" + s + "'")).isEqualTo(1);
    }
}
