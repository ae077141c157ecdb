package io.marketbill.billing.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketbill.billing.BillingTestBase;
import io.marketbill.billing.ledger.LedgerSettlement;
import io.marketbill.billing.ledger.MeteringReporter;
import io.marketbill.billing.rating.HourClosing;
import io.marketbill.contracts.SubscriptionChanged;
import io.marketbill.contracts.SubscriptionFrozen;
import io.marketbill.contracts.SubscriptionResumed;
import io.marketbill.contracts.SubscriptionUnbound;
import io.marketbill.contracts.UsageRecorded;
import io.marketbill.testsupport.Http;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The conservation law end to end, over random scenarios: subscriptions opened (some as trials), bound, frozen,
 * resumed, upgraded and unbound at random minutes, random usage of organizations and of subscriptions, and random
 * records refused for good by the marketplace. After the hour closes and is reported, every organization's and
 * subscription's balance holds, and its input is exactly what the test sent (the oracle: the test's own sums, not
 * the service's). AttributionPropertiesTest checks the same law over many more worlds without a database; this
 * one runs it through Kafka, PostgreSQL, the ledger and the settlement of refused records.
 */
class RandomScenarioConservationTest extends BillingTestBase {

    static final String ZILLIZ = "cmgj00063418";
    static final List<String> DIMENSIONS = List.of("cu_hours", "storage_gb_hours");

    @Autowired HourClosing closing;
    @Autowired MeteringReporter reporter;
    @Autowired LedgerSettlement settlement;

    private Instant at(int minute) {
        return hour.plus(Duration.ofMinutes(minute));
    }

    @RepeatedTest(4)
    void everyUnitEndsSomewhereWhateverHappensInTheHour(RepetitionInfo repetition) {
        long seed = 20261202L * 31 + repetition.getCurrentRepetition();
        Random r = new Random(seed);
        List<String> organizations = List.of("org-p" + seed, "org-q" + seed, "org-u" + seed);
        List<String> subscriptions = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            String id = openAliyun(ZILLIZ, at(r.nextInt(5)), r.nextInt(4) == 0);
            subscriptions.add(id);
            int minute = 5 + r.nextInt(5);
            int periods = 1;
            int plans = 1;
            if (s < 2) {
                bind(organizations.get(s), id, ZILLIZ, at(minute));
            }
            boolean frozen = false;
            while ((minute += 3 + r.nextInt(12)) < 50) {
                switch (r.nextInt(3)) {
                    case 0 -> {
                        lifecycle(id, at(minute), frozen ? new SubscriptionResumed(null, null)
                                : new SubscriptionFrozen("EXPIRED", null));
                        frozen = !frozen;
                        periods++;
                    }
                    case 1 -> {
                        lifecycle(id, at(minute), new SubscriptionChanged("UPGRADED", "o-" + minute,
                                r.nextBoolean() ? "pro" : "payg", null, Map.of()));
                        plans++;
                    }
                    default -> { }
                }
            }
            if (s < 2 && r.nextBoolean()) {
                lifecycle(id, at(50 + r.nextInt(5)), new SubscriptionUnbound(organizations.get(s), ZILLIZ, "acct",
                        "UNBOUND_BY_USER", "u-admin"));
                awaitRow("SELECT COUNT(*) FROM binding_period WHERE subscription_id = '" + id
                        + "' AND unbound_at IS NOT NULL");
            }
            long p = periods;
            long q = plans;
            await().atMost(Duration.ofSeconds(30)).until(() -> count("SELECT COUNT(*) FROM metering_period_change "
                    + "WHERE subscription_id = '" + id + "'") >= p && count("SELECT COUNT(*) FROM plan_change "
                    + "WHERE subscription_id = '" + id + "'") >= q);
        }

        clock.set(at(58));
        Map<String, BigDecimal> sent = new HashMap<>();
        List<UsageRecorded> usage = new ArrayList<>();
        for (int i = 0; i < 40 + r.nextInt(40); i++) {
            boolean ofOrganization = r.nextInt(4) > 0;
            String subject = ofOrganization ? organizations.get(r.nextInt(3)) : subscriptions.get(r.nextInt(3));
            String dimension = DIMENSIONS.get(r.nextInt(2));
            BigDecimal quantity = BigDecimal.valueOf(1 + r.nextInt(3_000_000), 6);
            usage.add(usage(ofOrganization ? subject : null, ofOrganization ? null : subject, dimension,
                    quantity.toPlainString(), at(r.nextInt(59))));
            sent.merge((ofOrganization ? "org:" : "sub:") + subject + "|" + dimension, quantity, BigDecimal::add);
        }
        sendUsage(usage.toArray(UsageRecorded[]::new));

        clock.set(hour.plus(Duration.ofMinutes(65)).plusSeconds(2));
        closing.closeDueHours();
        // the marketplace refuses some records for good; the rest are reported
        List<Long> pending = jdbc.sql("SELECT id FROM metering_record WHERE state = 'PENDING' AND units > 0 ORDER BY id")
                .query(Long.class).list();
        for (long id : pending) {
            if (id == pending.getFirst() || r.nextInt(3) == 0) {
                jdbc.sql("UPDATE metering_record SET state = 'SENT' WHERE id = :id").param("id", id).update();
                assertThat(settlement.rejected(id, "Invalid.Parameter.Metering")).isTrue();
            }
        }
        reporter.report();

        for (String subject : sent.keySet().stream().map(k -> k.substring(0, k.indexOf('|'))).distinct().toList()) {
            String query = subject.startsWith("org:") ? "organizationId=" + subject.substring(4)
                    : "subscriptionId=" + subject.substring(4);
            JsonNode balance = read(Http.getAsOperator(port, "/api/billing/balance?" + query + "&from=" + hour + "&to="
                    + hour.plus(Duration.ofHours(1))).body());
            assertThat(balance.path("balanced").asBoolean()).as("seed %d: %s", seed, balance).isTrue();
            for (String dimension : DIMENSIONS) {
                BigDecimal input = BigDecimal.ZERO;
                for (JsonNode h : balance.path("hours")) {
                    if (h.path("dimension").asString().equals(dimension)) {
                        input = input.add(new BigDecimal(h.path("input").asString()));
                    }
                }
                assertThat(input).as("seed %d: %s %s in %s", seed, subject, dimension, balance)
                        .isEqualByComparingTo(sent.getOrDefault(subject + "|" + dimension, BigDecimal.ZERO));
            }
        }
        // the scenario did exercise a refusal, and its usage is in the balances above as refused
        assertThat(pending).as("seed %d charges something", seed).isNotEmpty();
        assertThat(count("SELECT COUNT(*) FROM metering_record WHERE state = 'REJECTED'")).isPositive();
    }
}
