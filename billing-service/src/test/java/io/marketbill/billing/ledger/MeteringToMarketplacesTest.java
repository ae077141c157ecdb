package io.marketbill.billing.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.billing.BillingTestBase;
import io.marketbill.billing.rating.HourClosing;
import io.marketbill.contracts.Topics;
import io.marketbill.testsupport.Http;
import io.marketbill.testsupport.TopicRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** The hour from usage to the marketplace: rating, the ledger, each marketplace's rules, retries, deadlines. */
class MeteringToMarketplacesTest extends BillingTestBase {

    static final String ZILLIZ = "cmgj00063418";
    static final String EMQX = "cmgj00069406";
    static final String ZILLIZ_AWS = "zilliz-cloud-aws-cn";

    @Autowired HourClosing closing;
    @Autowired MeteringReporter reporter;

    private void closeThrough(Instant hourEnd) {
        clock.set(hourEnd.plus(Duration.ofMinutes(5)).plusSeconds(2));
        closing.closeDueHours();
    }

    private List<Map<String, Object>> ledger(String subscriptionId) {
        return jdbc.sql("SELECT * FROM metering_record WHERE subscription_id = :s ORDER BY hour_start, dimension")
                .param("s", subscriptionId).query((rs, n) -> LedgerRows.toMap(rs, clock.instant())).list();
    }

    private List<JsonNode> billedAt(String subscriptionId) {
        String instance = subscriptionId.substring("aliyun:".length());
        List<JsonNode> out = new ArrayList<>();
        simulatorAliyunMetering().path("billed").forEach(b -> {
            if (b.path("instanceId").asString().equals(instance)) {
                out.add(b);
            }
        });
        return out;
    }

    private List<String> billingEventTypes(String subscriptionId) {
        List<String> types = new ArrayList<>();
        TopicRecords.values(Topics.BILLING, subscriptionId, Duration.ofSeconds(3))
                .forEach(v -> types.add(codec.decode(v).type()));
        return types;
    }

    private Instant started;

    @org.junit.jupiter.api.BeforeEach
    void noteTheStart() {
        started = Instant.now();
    }

    /** Nothing this test sent was refused (the simulator keeps every test's refusals). */
    private void assertTheSimulatorRefusedNothing() {
        List<JsonNode> refused = new ArrayList<>();
        simulatorAliyunMetering().path("refused").forEach(r -> {
            if (!Instant.parse(r.path("at").asString()).isBefore(started)) {
                refused.add(r);
            }
        });
        assertThat(refused).as("refused by the simulated Alibaba").isEmpty();
    }

    @Test
    void anAlibabaHourIsRatedWithItsRemainderCarriedAndPushedOnce() {
        String s = openAliyun(ZILLIZ, hour.plusSeconds(60), false);
        bind("org-z", s, ZILLIZ, hour.plusSeconds(60));
        sendUsage(usage("org-z", null, "cu_hours", "1.5", hour.plusSeconds(600)),
                usage(null, s, "cu_hours", "0.0004", hour.plusSeconds(700)),
                usage("org-z", null, "storage_gb_hours", "3", hour.plusSeconds(800)));
        closeThrough(hour.plusSeconds(3600));

        Map<String, Object> cu = jdbc.sql("SELECT units, carry_out FROM rated_hour WHERE subscription_id = :s AND dimension = 'cu_hours'")
                .param("s", s).query((rs, n) -> Map.<String, Object>of("units", rs.getLong(1), "carry", rs.getBigDecimal(2))).single();
        // 1.5004 CU-hours × 1250 = 1875.5 units of ¥0.001: whole fen are 10 units, so 1870 are charged (¥1.87) and
        // 5.5 carried; the marketplace would drop the half fen of 1875 units
        assertThat(cu.get("units")).isEqualTo(1870L);
        assertThat((java.math.BigDecimal) cu.get("carry")).isEqualByComparingTo("5.5");
        assertThat(count("SELECT units FROM rated_hour WHERE subscription_id = '" + s + "' AND dimension = 'storage_gb_hours'"))
                .isZero(); // 3 GB-hours × 1 = 3 units, under a fen: carried, not charged yet, not pushed

        reporter.report();
        List<Map<String, Object>> records = ledger(s);
        assertThat(records).hasSize(1);
        assertThat(records.get(0)).containsEntry("state", "ACCEPTED").containsEntry("units", 1870L)
                .containsEntry("yuan", "1.87");
        List<JsonNode> billed = billedAt(s);
        assertThat(billed).hasSize(1);
        JsonNode b = billed.get(0);
        assertThat(b.path("startTime").asLong()).isEqualTo(hour.getEpochSecond());
        assertThat(b.path("endTime").asLong()).isEqualTo(hour.getEpochSecond() + 3600);
        assertThat(b.path("meteringAssit").asString()).isEqualTo("cmgj00063418-Unit-1");
        assertThat(b.path("value").asLong()).isEqualTo(1870);
        assertThat(b.path("fee").decimalValue()).as("the marketplace charges exactly what we rated")
                .isEqualByComparingTo("1.87");
        assertThat(records.get(0).get("marketplaceRecordId")).isEqualTo(b.path("requestId").asString());

        reporter.report();
        assertThat(billedAt(s)).as("an accepted hour is never pushed again").hasSize(1);
        assertThat(billingEventTypes(s)).containsExactlyInAnyOrder("HourRated", "HourRated", "MeteringReported");
        assertTheSimulatorRefusedNothing();
    }

    @Test
    void awsGetsOneRecordPerCustomerDimensionAndHourWithZerosForIdleHoursAndTheSameValuesOnRetry() {
        String s = openAws(ZILLIZ_AWS, hour.plusSeconds(60), false);
        sendUsage(usage(null, s, "cu_hours", "2", hour.plusSeconds(300)));
        closeThrough(hour.plusSeconds(7200)); // this hour and the next, idle one
        reporter.report();
        List<Map<String, Object>> records = ledger(s);
        assertThat(records).extracting(r -> r.get("units")).containsExactly(2500L, 0L);
        assertThat(records).extracting(r -> r.get("state")).containsOnly("ACCEPTED");
        String license = jdbc.sql("SELECT license_arn FROM metered_subscription WHERE subscription_id = :s").param("s", s)
                .query(String.class).single();
        List<JsonNode> atAws = new ArrayList<>();
        simulatorAwsMetering().forEach(r -> {
            if (r.path("LicenseArn").asString().equals(license)) {
                atAws.add(r);
            }
        });
        assertThat(atAws).extracting(r -> r.path("Timestamp").asString())
                .containsExactlyInAnyOrder(hour.toString(), hour.plusSeconds(3600).toString());
        assertThat(atAws).extracting(r -> r.path("Dimension").asString()).containsOnly("cu_units");
        // license-based records: LicenseArn instead of ProductCode, as the newest model has it
        assertThat(proxy.bodies()).filteredOn(b -> b.contains(license)).isNotEmpty()
                .allSatisfy(b -> assertThat(b).doesNotContain("ProductCode"));

        // the answer was lost: the same record again is taken as the same one
        Object firstId = records.get(0).get("marketplaceRecordId");
        jdbc.sql("UPDATE metering_record SET state = 'PENDING' WHERE id = :id").param("id", records.get(0).get("id")).update();
        reporter.report();
        assertThat(ledger(s).get(0)).containsEntry("state", "ACCEPTED").containsEntry("marketplaceRecordId", firstId);
        assertThat(simulatorAwsMetering().size()).isEqualTo(countAws(license) + (simulatorAwsMetering().size() - countAws(license)));
        assertThat(countAws(license)).isEqualTo(2);
    }

    private JsonNode differences(String subscriptionId) {
        return read(Http.getAsOperator(port, "/api/billing/reconciliation?subscriptionId="
                + java.net.URLEncoder.encode(subscriptionId, java.nio.charset.StandardCharsets.UTF_8)).body()).path("differences");
    }

    private int countAws(String license) {
        int[] n = {0};
        simulatorAwsMetering().forEach(r -> n[0] += r.path("LicenseArn").asString().equals(license) ? 1 : 0);
        return n[0];
    }

    @Test
    void alibabaPushesHoldAtMostOneHundredRecordsOfOneProductEach() {
        List<String> zilliz = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            zilliz.add(openAliyun(ZILLIZ, hour.plusSeconds(60), false));
        }
        String emqx = openAliyun(EMQX, hour.plusSeconds(60), false);
        List<io.marketbill.contracts.UsageRecorded> usage = new ArrayList<>();
        zilliz.forEach(s -> usage.add(usage(null, s, "cu_hours", "0.01", hour.plusSeconds(900))));
        usage.add(usage(null, emqx, "session_hours", "100", hour.plusSeconds(900)));
        sendUsage(usage.toArray(io.marketbill.contracts.UsageRecorded[]::new));
        closeThrough(hour.plusSeconds(3600));
        reporter.report();

        Map<String, Set<String>> instancesByRequest = new HashMap<>();
        Map<String, Set<String>> productsByRequest = new HashMap<>();
        Set<String> ours = new HashSet<>();
        zilliz.forEach(s -> ours.add(s.substring(7)));
        ours.add(emqx.substring(7));
        simulatorAliyunMetering().path("billed").forEach(b -> {
            String instance = b.path("instanceId").asString();
            if (ours.contains(instance)) {
                instancesByRequest.computeIfAbsent(b.path("requestId").asString(), k -> new HashSet<>()).add(instance);
                productsByRequest.computeIfAbsent(b.path("requestId").asString(), k -> new HashSet<>())
                        .add(b.path("meteringAssit").asString().split("-")[0]);
            }
        });
        assertThat(instancesByRequest.values().stream().mapToInt(Set::size).sum()).isEqualTo(102);
        assertThat(instancesByRequest.values()).allSatisfy(r -> assertThat(r.size()).isLessThanOrEqualTo(100));
        assertThat(productsByRequest.values()).allSatisfy(p -> assertThat(p).hasSize(1));
        assertThat(instancesByRequest).hasSizeGreaterThanOrEqualTo(3); // 100 + 1 Zilliz, 1 EMQX
        assertThat(count("SELECT COUNT(*) FROM metering_record WHERE state = 'ACCEPTED'")).isEqualTo(102);
        assertTheSimulatorRefusedNothing();
    }

    @Test
    void oneInstanceIsPushedAtMostOnceInTheFlowControlInterval() throws Exception {
        String s = openAliyun(ZILLIZ, hour.plusSeconds(60), false);
        sendUsage(usage(null, s, "cu_hours", "1", hour.plusSeconds(600)));
        closeThrough(hour.plusSeconds(3600));
        reporter.report();
        assertThat(billedAt(s)).hasSize(1);
        // the next hour is due at once, but the instance was pushed less than 2 s (60 s in production) ago
        jdbc.sql("UPDATE metering_record SET state = 'PENDING', units = units WHERE 1 = 0").update();
        jdbc.sql("""
                INSERT INTO metering_record (subscription_id, marketplace, product_code, dimension, hour_start, units, state,
                    next_attempt_at, deadline, created_at, unit_value)
                VALUES (:s, 'aliyun', :p, 'storage_gb_hours', :h, 70, 'PENDING', now(), :d, now(), 0.001)""")
                .param("s", s).param("p", ZILLIZ).param("h", java.sql.Timestamp.from(hour))
                .param("d", java.sql.Timestamp.from(hour.plusSeconds(7140))).update();
        reporter.report();
        assertThat(billedAt(s)).hasSize(1);
        Thread.sleep(2100);
        reporter.report();
        assertThat(billedAt(s)).hasSize(2);
        assertTheSimulatorRefusedNothing();
    }

    @Test
    void awsCallsCarryAtMostTwentyFiveRecords() {
        List<String> subs = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            subs.add(openAws(ZILLIZ_AWS, hour.plusSeconds(60), false));
        }
        int callsBefore = batchCalls().size();
        closeThrough(hour.plusSeconds(3600));
        reporter.report();
        List<Integer> sizes = batchCalls().subList(callsBefore, batchCalls().size());
        assertThat(sizes).containsExactly(25, 5);
        assertThat(count("SELECT COUNT(*) FROM metering_record WHERE state = 'ACCEPTED' AND units = 0")).isEqualTo(30);
    }

    private List<Integer> batchCalls() {
        List<Integer> sizes = new ArrayList<>();
        read(Http.getAsOperator(simulatorPort, "/sim/aws/calls").body()).forEach(c -> {
            if (c.path("what").asString().endsWith("BatchMeterUsage")) {
                sizes.add(c.path("details").path("records").asInt());
            }
        });
        return sizes;
    }

    @Test
    void anUnsubscribedCustomerAndAConflictingQuantityAreRejectedForGoodAndPublished() {
        JsonNode gone = awsCustomer(ZILLIZ_AWS);
        String goneId = io.marketbill.contracts.SubscriptionIds.aws(gone.path("accountId").asString(),
                gone.path("licenseArn").asString());
        lifecycle(goneId, hour.plusSeconds(60), new io.marketbill.contracts.SubscriptionOpened(ZILLIZ_AWS, null, false,
                gone.path("accountId").asString(), null, null, Map.of(), gone.path("customerIdentifier").asString(),
                gone.path("licenseArn").asString()));
        awaitRow("SELECT COUNT(*) FROM metered_subscription WHERE subscription_id = '" + goneId + "'");
        Http.requestAsOperator(simulatorPort, "POST", "/sim/aws/customers/" + gone.path("token").asString() + "/unsubscribe", "");

        String conflicted = openAws(ZILLIZ_AWS, hour.plusSeconds(60), false);
        String license = jdbc.sql("SELECT license_arn FROM metered_subscription WHERE subscription_id = :s")
                .param("s", conflicted).query(String.class).single();
        String account = conflicted.split(":")[1];
        // someone else already metered this customer's hour with another quantity
        MarketplaceAnswer earlier = awsClient.batchMeterUsage(ZILLIZ_AWS, Map.of("ProductCode", ZILLIZ_AWS, "UsageRecords", List.of(
                Map.of("Timestamp", hour.getEpochSecond(), "CustomerAWSAccountId", account, "LicenseArn", license,
                        "Dimension", "cu_units", "Quantity", 99))));
        assertThat(earlier.kind()).isEqualTo(MarketplaceAnswer.Kind.ACCEPTED);

        closeThrough(hour.plusSeconds(3600));
        reporter.report();
        assertThat(ledger(goneId).get(0)).containsEntry("state", "REJECTED").containsEntry("lastError", "CustomerNotSubscribed");
        assertThat(ledger(conflicted).get(0)).containsEntry("state", "REJECTED").containsEntry("lastError", "DuplicateRecord");
        assertThat(billingEventTypes(goneId)).contains("MeteringRejected");
        String rejectedOnes = Http.getAsOperator(port, "/api/billing/ledger?state=REJECTED").body();
        assertThat(rejectedOnes).contains(goneId).contains(conflicted);
    }

    @Autowired AwsMeteringClient awsClient;

    @Test
    void resultsAreMatchedToTheirRecordsWhateverFormAwsEchoesThemIn() {
        List<String> subscriptions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String s = openAws(ZILLIZ_AWS, hour.plusSeconds(60), false);
            subscriptions.add(s);
            sendUsage(usage(null, s, "cu_hours", String.valueOf(i + 1), hour.plusSeconds(300)));
        }
        closeThrough(hour.plusSeconds(3600));
        proxy.echoRewritten();
        reporter.report();
        proxy.up();
        for (int i = 0; i < 3; i++) {
            assertThat(ledger(subscriptions.get(i)).get(0)).as(subscriptions.get(i)).containsEntry("state", "ACCEPTED")
                    .containsEntry("units", 1250L * (i + 1));
        }
    }

    @Test
    void anHourAwsCannotTakeInOneRecordGoesToTheVendorsBillingAndTheRestOfItsCallIsBilled() {
        String huge = openAws(ZILLIZ_AWS, hour.plusSeconds(60), false);
        String normal = openAws(ZILLIZ_AWS, hour.plusSeconds(60), false);
        // 2,000,000 CU-hours × 1250 = 2.5 billion units: over AWS's Quantity limit of 2,147,483,647
        sendUsage(usage(null, huge, "cu_hours", "2000000", hour.plusSeconds(300)),
                usage(null, normal, "cu_hours", "1", hour.plusSeconds(300)));
        closeThrough(hour.plusSeconds(3600));
        reporter.report();
        assertThat(ledger(huge).get(0)).containsEntry("state", "REJECTED");
        assertThat((String) ledger(huge).get(0).get("lastError")).startsWith("QuantityOutOfRange");
        assertThat(billingEventTypes(huge)).contains("UsageForVendorBilling");
        assertThat(ledger(normal).get(0)).containsEntry("state", "ACCEPTED");
    }

    @Test
    void aDuplicateRecordOnAResendIsSettledAsBilledAndLeftForReconciliationToVerify() {
        String s = openAws(ZILLIZ_AWS, hour.plusSeconds(60), false);
        sendUsage(usage(null, s, "cu_hours", "1", hour.plusSeconds(300)));
        closeThrough(hour.plusSeconds(3600));
        String license = jdbc.sql("SELECT license_arn FROM metered_subscription WHERE subscription_id = :s")
                .param("s", s).query(String.class).single();
        // AWS holds a record of this customer, dimension and hour already, and ours was sent before without an
        // answer: most likely it is our own (an identical resend would be Success; AWS's echo of what it holds is
        // not documented), so it is not rejected, which would hand billed usage to the vendor's billing twice over
        MarketplaceAnswer earlier = awsClient.batchMeterUsage(ZILLIZ_AWS, Map.of("ProductCode", ZILLIZ_AWS, "UsageRecords", List.of(
                Map.of("Timestamp", hour.getEpochSecond(), "CustomerAWSAccountId", s.split(":")[1], "LicenseArn", license,
                        "Dimension", "cu_units", "Quantity", 1300))));
        assertThat(earlier.kind()).isEqualTo(MarketplaceAnswer.Kind.ACCEPTED);
        jdbc.sql("UPDATE metering_record SET attempts = 1 WHERE subscription_id = :s").param("s", s).update();
        reporter.report();
        Map<String, Object> r = ledger(s).get(0);
        assertThat(r).containsEntry("state", "ACCEPTED");
        assertThat((String) r.get("lastError")).contains("DuplicateRecord on a resend");
        assertThat(billingEventTypes(s)).doesNotContain("UsageForVendorBilling");
        Http.requestAsOperator(port, "POST", "/api/billing/reconciliation/run", "");
        assertThat(differences(s)).anySatisfy(d -> assertThat(d.path("kind").asString()).isEqualTo("VALUE_MISMATCH"));
    }

    @Test
    void awsUnsubscribePendingEndsBillingAndTheLastHourIsReportedWhileAwsStillTakesIt() {
        String s = openAws(ZILLIZ_AWS, hour.plusSeconds(60), false);
        sendUsage(usage(null, s, "cu_hours", "1", hour.plusSeconds(300)));
        // unsubscribe-pending at minute 20: AWS takes records for one more hour, none after unsubscribe-success
        lifecycle(s, hour.plus(Duration.ofMinutes(20)), new io.marketbill.contracts.SubscriptionChanged(
                "UNSUBSCRIBE_PENDING", null, null, null, Map.of()));
        awaitRow("SELECT COUNT(*) FROM metered_subscription WHERE metering = 'ENDED' AND subscription_id = '" + s + "'");
        clock.set(hour.plus(Duration.ofMinutes(23)));
        closing.flushClosedSubscriptions();
        reporter.report();
        // the hour is reported long before it closes (hour end + late window), so before unsubscribe-success
        assertThat(ledger(s)).singleElement().satisfies(r -> {
            assertThat(r).containsEntry("state", "ACCEPTED").containsEntry("units", 1250L);
            assertThat((Instant) r.get("hourStart")).isEqualTo(hour);
        });
    }

    @Test
    void aCallAwsRefusesAsAWholeForOneRecordIsResentRecordByRecordAndOnlyThatRecordIsRejected() {
        List<String> subscriptions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String s = openAws(ZILLIZ_AWS, hour.plusSeconds(60), false);
            subscriptions.add(s);
            sendUsage(usage(null, s, "cu_hours", "1", hour.plusSeconds(300)));
        }
        closeThrough(hour.plusSeconds(3600));
        // one record AWS will not take: out of its time window, which refuses the whole call
        // (TimestampOutOfBoundsException: "the entire batch is not processed")
        String poisoned = subscriptions.get(1);
        jdbc.sql("UPDATE metering_record SET hour_start = hour_start - INTERVAL '30 hours' WHERE subscription_id = :s")
                .param("s", poisoned).update();
        reporter.report();
        assertThat(ledger(poisoned)).singleElement().satisfies(r -> {
            assertThat(r).containsEntry("state", "REJECTED");
            assertThat((String) r.get("lastError")).startsWith("TimestampOutOfBoundsException");
        });
        for (String s : List.of(subscriptions.get(0), subscriptions.get(2))) {
            assertThat(ledger(s)).as(s).singleElement().satisfies(r -> assertThat(r).containsEntry("state", "ACCEPTED")
                    .containsEntry("units", 1250L));
        }
        assertThat(billingEventTypes(poisoned)).contains("MeteringRejected", "UsageForVendorBilling");
    }

    @Test
    void aPushAlibabaRefusesAsAWholeForOneInstanceIsResentInstanceByInstance() {
        String good = openAliyun(ZILLIZ, hour.plusSeconds(60), false);
        String alsoGood = openAliyun(ZILLIZ, hour.plusSeconds(60), false);
        // an instance the marketplace never sold (released, or a wrong id): Invalid.Parameter.Instance for the push
        String unsold = "aliyun:UNSOLD" + Math.abs(new java.util.Random().nextInt());
        lifecycle(unsold, hour.plusSeconds(60), new io.marketbill.contracts.SubscriptionOpened(ZILLIZ, "payg", false,
                "1880000000000001", "o-x", null, Map.of(), null, null));
        awaitRow("SELECT COUNT(*) FROM metered_subscription WHERE subscription_id = '" + unsold + "'");
        sendUsage(usage(null, good, "cu_hours", "1", hour.plusSeconds(300)),
                usage(null, alsoGood, "cu_hours", "2", hour.plusSeconds(300)),
                usage(null, unsold, "cu_hours", "3", hour.plusSeconds(300)));
        closeThrough(hour.plusSeconds(3600));
        reporter.report();
        assertThat(ledger(good)).singleElement().satisfies(r -> assertThat(r).containsEntry("state", "PENDING"));
        jdbc.sql("DELETE FROM aliyun_push").update(); // 61 s later: the flow control allows the next pushes
        reporter.report();
        assertThat(ledger(unsold)).singleElement().satisfies(r -> {
            assertThat(r).containsEntry("state", "REJECTED");
            assertThat((String) r.get("lastError")).startsWith("Invalid.Parameter.Instance");
        });
        assertThat(ledger(good)).singleElement().satisfies(r -> assertThat(r).containsEntry("state", "ACCEPTED"));
        assertThat(ledger(alsoGood)).singleElement().satisfies(r -> assertThat(r).containsEntry("state", "ACCEPTED"));
        assertThat(billedAt(good)).hasSize(1);
        assertThat(billedAt(alsoGood)).hasSize(1);
    }

    @Test
    void aCallRefusedForItsCredentialsIsRetriedWithAnAlertNotRejected() {
        String aws = openAws(ZILLIZ_AWS, hour.plusSeconds(60), false);
        String aliyunSub = openAliyun(ZILLIZ, hour.plusSeconds(60), false);
        sendUsage(usage(null, aws, "cu_hours", "1", hour.plusSeconds(300)),
                usage(null, aliyunSub, "cu_hours", "1", hour.plusSeconds(300)));
        closeThrough(hour.plusSeconds(3600));
        proxy.signatureBroken(); // a rotated secret, a skewed signer: the marketplace refuses the caller
        reporter.report();
        assertThat(ledger(aws).get(0)).containsEntry("state", "PENDING");
        assertThat((String) ledger(aws).get(0).get("lastError")).startsWith("InvalidSignatureException");
        assertThat(ledger(aliyunSub).get(0)).containsEntry("state", "PENDING");
        assertThat((String) ledger(aliyunSub).get(0).get("lastError")).startsWith("SignatureDoesNotMatch");
        String metrics = Http.get(managementPort, "/actuator/prometheus").body();
        assertThat(metrics).containsPattern("marketbill_metering_credentials_failing\\{[^}]*marketplace=\"aws\"[^}]*\\} 1\\.0")
                .containsPattern("marketbill_metering_credentials_failing\\{[^}]*marketplace=\"aliyun\"[^}]*\\} 1\\.0");

        proxy.up(); // fixed: the same records go through, and the alert clears
        jdbc.sql("DELETE FROM aliyun_push").update();
        clock.set(clock.instant().plusSeconds(10));
        reporter.report();
        assertThat(ledger(aws).get(0)).containsEntry("state", "ACCEPTED");
        assertThat(ledger(aliyunSub).get(0)).containsEntry("state", "ACCEPTED");
        assertThat(Http.get(managementPort, "/actuator/prometheus").body())
                .containsPattern("marketbill_metering_credentials_failing\\{[^}]*marketplace=\"aws\"[^}]*\\} 0\\.0");
    }

    @Test
    void anAlibabaPushWhoseOutcomeIsStillUnknownAtItsDeadlineIsMarkedOverdueAndRaisesTheAlert() {
        String s = openAliyun(ZILLIZ, hour.plusSeconds(60), false);
        sendUsage(usage(null, s, "cu_hours", "1", hour.plusSeconds(600)));
        closeThrough(hour.plusSeconds(3600));
        proxy.answerLost(); // Alibaba took it, we cannot know, and there is no API to ask
        reporter.report();
        proxy.up();
        assertThat(ledger(s).get(0)).containsEntry("state", "SENT").containsEntry("overdue", false);
        clock.set(hour.plus(Duration.ofMinutes(119)).plusSeconds(1));
        reporter.report();
        Map<String, Object> r = ledger(s).get(0);
        // not handed to the vendor's billing (Alibaba may have billed it), but nobody can miss it
        assertThat(r).containsEntry("state", "SENT").containsEntry("overdue", true);
        assertThat((String) r.get("lastError")).contains("outcome unknown at the deadline");
        assertThat(billingEventTypes(s)).doesNotContain("UsageForVendorBilling");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(Http.get(managementPort, "/actuator/prometheus").body())
                        .containsPattern("marketbill_metering_overdue_records\\{[^}]*\\} 1\\.0"));
    }

    @Test
    void aRecordPastItsDeadlineIsRejectedAsOverdueRaisesTheAlertAndStaysVisible() {
        String s = openAliyun(ZILLIZ, hour.plusSeconds(60), false);
        sendUsage(usage(null, s, "cu_hours", "1", hour.plusSeconds(600)));
        closeThrough(hour.plusSeconds(3600));
        proxy.down();
        clock.set(hour.plus(Duration.ofMinutes(119)).plusSeconds(1));
        reporter.report();
        Map<String, Object> r = ledger(s).get(0);
        assertThat(r).containsEntry("state", "REJECTED").containsEntry("overdue", true);
        assertThat((String) r.get("lastError")).contains("deadline");
        assertThat(billingEventTypes(s)).contains("MeteringOverdue");
        assertThat(read(Http.getAsOperator(port, "/api/billing/ledger/summary").body()).path("overdueLast7Days").asLong()).isEqualTo(1);
        assertThat(Http.get(managementPort, "/actuator/prometheus").body())
                .containsPattern("marketbill_metering_overdue_records\\{[^}]*\\} 1\\.0");
        assertThat(Http.getAsOperator(port, "/api/billing/ledger?overdueOnly=true").body()).contains(s);
        assertThat(billedAt(s)).isEmpty();
    }

    @Test
    void failedCallsAreRetriedWithBackoffAndAnAnswerLostOnTheWayIsSettledByReconciliationNotBySendingTwice() {
        String aws = openAws(ZILLIZ_AWS, hour.plusSeconds(60), false);
        String lostAnswer = openAliyun(ZILLIZ, hour.plusSeconds(60), false);
        String neverArrived = openAliyun(EMQX, hour.plusSeconds(60), false);
        sendUsage(usage(null, aws, "cu_hours", "1", hour.plusSeconds(600)),
                usage(null, lostAnswer, "cu_hours", "1", hour.plusSeconds(600)),
                usage(null, neverArrived, "session_hours", "100", hour.plusSeconds(600)));
        closeThrough(hour.plusSeconds(3600));

        proxy.down();
        reporter.report();
        Map<String, Object> awsRecord = ledger(aws).get(0);
        assertThat(awsRecord).containsEntry("state", "PENDING").containsEntry("attempts", 1);
        Instant next = jdbc.sql("SELECT next_attempt_at FROM metering_record WHERE subscription_id = :s").param("s", aws)
                .query(java.sql.Timestamp.class).single().toInstant();
        assertThat(next).isEqualTo(clock.instant().plusSeconds(5));
        assertThat(ledger(neverArrived).get(0)).as("Alibaba: outcome unknown, not sent again blindly")
                .containsEntry("state", "SENT");

        proxy.answerLost();
        jdbc.sql("DELETE FROM aliyun_push").update();
        jdbc.sql("UPDATE metering_record SET state = 'PENDING' WHERE subscription_id = :s").param("s", lostAnswer).update();
        clock.set(clock.instant().plusSeconds(6));
        reporter.report();
        assertThat(billedAt(lostAnswer)).hasSize(1); // Alibaba took it ...
        assertThat(ledger(lostAnswer).get(0)).containsEntry("state", "SENT"); // ... but we could not know

        proxy.up();
        clock.set(clock.instant().plusSeconds(12)); // AWS backoff doubled: 10 s
        reporter.report();
        assertThat(ledger(aws).get(0)).containsEntry("state", "ACCEPTED").containsEntry("attempts", 3);
        assertThat(ledger(lostAnswer).get(0)).containsEntry("state", "SENT");

        clock.set(clock.instant().plusSeconds(31)); // past sent-timeout
        JsonNode run = read(Http.requestAsOperator(port, "POST", "/api/billing/reconciliation/run", "").body());
        assertThat(run.path("aliyun").path("settledUnknownOutcomes").asInt()).isEqualTo(1);
        assertThat(run.path("aliyun").path("sentAgain").asInt()).isEqualTo(1);
        assertThat(ledger(lostAnswer).get(0)).containsEntry("state", "ACCEPTED");
        assertThat(ledger(neverArrived).get(0)).containsEntry("state", "PENDING");
        reporter.report();
        assertThat(ledger(neverArrived).get(0)).containsEntry("state", "ACCEPTED");
        assertThat(billedAt(lostAnswer)).as("pushed exactly once").hasSize(1);
        assertThat(billedAt(neverArrived)).as("pushed exactly once").hasSize(1);
        Http.requestAsOperator(port, "POST", "/api/billing/reconciliation/run", "");
        for (String sub : List.of(aws, lostAnswer, neverArrived)) {
            assertThat(differences(sub)).as("differences of " + sub).isEmpty();
        }
        assertTheSimulatorRefusedNothing();
    }

    @Test
    void reconciliationReportsWhatTheMarketplaceLacksAndWhatTheLedgerDoesNotKnow() {
        String s = openAliyun(ZILLIZ, hour.plusSeconds(60), false);
        sendUsage(usage(null, s, "cu_hours", "1", hour.plusSeconds(600)));
        closeThrough(hour.plusSeconds(3600));
        reporter.report();
        // a ledger row claiming an hour the marketplace never got, and a marketplace record the ledger lost
        jdbc.sql("""
                INSERT INTO metering_record (subscription_id, marketplace, product_code, dimension, hour_start, units, state,
                    next_attempt_at, deadline, created_at, settled_at, unit_value)
                VALUES (:s, 'aliyun', :p, 'cu_hours', :h, 420, 'ACCEPTED', now(), now(), now(), now(), 0.001)""")
                .param("s", s).param("p", ZILLIZ).param("h", java.sql.Timestamp.from(hour.minusSeconds(3600))).update();
        jdbc.sql("DELETE FROM metering_record WHERE hour_start = :h AND subscription_id = :s")
                .param("h", java.sql.Timestamp.from(hour)).param("s", s).update();
        JsonNode run = read(Http.requestAsOperator(port, "POST", "/api/billing/reconciliation/run", "").body());
        List<String> kinds = new ArrayList<>();
        differences(s).forEach(d -> kinds.add(d.path("kind").asString() + "@" + d.path("hourStart").asString()));
        assertThat(kinds).containsExactlyInAnyOrder("MISSING_AT_MARKETPLACE@" + hour.minusSeconds(3600),
                "UNKNOWN_TO_LEDGER@" + hour);
        // (the simulator is shared by every test of the JVM: its other records are differences too)
        assertThat(Http.get(managementPort, "/actuator/prometheus").body()).containsPattern(
                "marketbill_reconciliation_differences\\{[^}]*\\} " + run.path("openDifferences").asLong() + "\\.0");
        // put right, the differences resolve themselves
        jdbc.sql("DELETE FROM metering_record WHERE hour_start = :h").param("h", java.sql.Timestamp.from(hour.minusSeconds(3600))).update();
        Http.requestAsOperator(port, "POST", "/api/billing/reconciliation/run", "");
        assertThat(differences(s)).extracting(d -> d.path("kind").asString()).containsExactly("UNKNOWN_TO_LEDGER");
    }
}
