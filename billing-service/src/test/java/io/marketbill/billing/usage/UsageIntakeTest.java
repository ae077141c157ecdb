package io.marketbill.billing.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.billing.BillingTestBase;
import io.marketbill.contracts.UsageRecorded;
import io.marketbill.testsupport.Http;
import io.marketbill.testsupport.OpenApiCoverage;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

class UsageIntakeTest extends BillingTestBase {

    @Autowired UsageIntake intake;
    @Autowired UsageRetention retention;
    @Autowired MeterRegistry meters;

    private long minuteTotal(String subject) {
        return count("SELECT COALESCE(SUM(quantity_micros), 0) FROM usage_minute WHERE subject = '" + subject + "'");
    }

    @Test
    void aRepeatedSourceAndIdCountsOnceWithinABatchAcrossBatchesAndOverKafka() {
        UsageRecorded u = usage("org-dup", null, "cu_hours", "1.5", hour.plusSeconds(300));
        String event = usageCodec.encode(u);
        assertThat(intake.accept(List.of(event, event))).isEqualTo(1);
        assertThat(intake.accept(List.of(event))).isZero();
        // redelivered over Kafka, twice; the next event on the same key (so the same partition) proves they were read
        send(io.marketbill.contracts.Topics.USAGE, u.key(), event);
        send(io.marketbill.contracts.Topics.USAGE, u.key(), event);
        UsageRecorded other = usage("org-dup", null, "cu_hours", "0.25", hour.plusSeconds(310));
        sendUsage(other);
        assertThat(minuteTotal("org:org-dup")).isEqualTo(1_750_000);
        assertThat(count("SELECT SUM(events) FROM usage_minute WHERE subject = 'org:org-dup'")).isEqualTo(2);
        // the same id from another source is another event
        UsageRecorded sameIdOtherSource = new UsageRecorded("//test/other", u.id(), u.time(), "org-dup", null,
                "cu_hours", new java.math.BigDecimal("1"));
        assertThat(intake.accept(List.of(usageCodec.encode(sameIdOtherSource)))).isEqualTo(1);
    }

    @Test
    void lateUsageIsAcceptedUntilItsHourClosesThenRefusedWithTheReasonAndCounted() {
        Instant previousHour = hour.minus(Duration.ofHours(1));
        clock.set(hour.plusSeconds(240)); // the previous hour's late window (5 minutes) is still open
        assertThat(intake.accept(List.of(usageCodec.encode(usage("org-late", null, "cu_hours", "2",
                previousHour.plusSeconds(3000)))))).isEqualTo(1);
        clock.set(hour.plusSeconds(301)); // now it has closed
        double before = meters.counter("marketbill.usage.ingested", "outcome", "rejected", "reason", "too_late").count();
        assertThat(intake.accept(List.of(usageCodec.encode(usage("org-late", null, "cu_hours", "3",
                previousHour.plusSeconds(3100)))))).isZero();
        assertThat(minuteTotal("org:org-late")).isEqualTo(2_000_000);
        assertThat(meters.counter("marketbill.usage.ingested", "outcome", "rejected", "reason", "too_late").count())
                .isEqualTo(before + 1);
        String rejections = Http.getAsOperator(port, "/api/billing/usage/rejections").body();
        assertThat(rejections).contains("\"too_late\"").contains("arrived after its hour closed");
        // and usage stamped too far ahead is refused too
        assertThat(intake.accept(List.of(usageCodec.encode(usage("org-late", null, "cu_hours", "1",
                clock.instant().plus(Duration.ofMinutes(6))))))).isZero();
        assertThat(Http.getAsOperator(port, "/api/billing/usage/rejections").body()).contains("\"in_the_future\"");
    }

    @Test
    void malformedEventsAreRefusedEachWithItsReasonWithoutLosingTheValidOnes() {
        String valid1 = usageCodec.encode(usage("org-mixed", null, "cu_hours", "1", hour.plusSeconds(60)));
        String valid2 = usageCodec.encode(usage("org-mixed", null, "cu_hours", "2", hour.plusSeconds(120)));
        String negative = valid1.replace("\"quantity\":\"1\"", "\"quantity\":\"-1\"").replace("//test/platform", "//test/neg");
        String noSubject = valid1.replace("\"organizationId\":\"org-mixed\",", "").replace("//test/platform", "//test/nosub");
        assertThat(intake.accept(List.of(valid1, "{not json", negative, noSubject, valid2, "[]"))).isEqualTo(2);
        assertThat(minuteTotal("org:org-mixed")).isEqualTo(3_000_000);
        List<String> reasons = jdbc.sql("SELECT reason FROM usage_rejection ORDER BY seq").query(String.class).list();
        assertThat(reasons).containsExactly("malformed_json", "bad_quantity", "missing_subject", "not_an_event");
        assertThat(jdbc.sql("SELECT source FROM usage_rejection WHERE reason = 'bad_quantity'").query(String.class)
                .single()).isEqualTo("//test/neg");
    }

    @Test
    void usageArrivesOverKafkaAsCloudEventsAndIsSummedPerMinute() {
        sendUsage(usage("org-kafka", null, "cu_hours", "0.5", hour.plusSeconds(61)),
                usage("org-kafka", null, "cu_hours", "0.25", hour.plusSeconds(119)),
                usage(null, "aliyun:I-KAFKA", "cu_hours", "1", hour.plusSeconds(130)));
        assertThat(count("SELECT quantity_micros FROM usage_minute WHERE subject = 'org:org-kafka' AND minute_start = '"
                + Timestamp.from(hour.plusSeconds(60)) + "'")).isEqualTo(750_000);
        assertThat(minuteTotal("sub:aliyun:I-KAFKA")).isEqualTo(1_000_000);
    }

    @Test
    void sourceAndIdAreRememberedForTheWholeDedupeWindowThenForgotten() {
        Instant now = clock.instant();
        jdbc.sql("INSERT INTO usage_event_seen (source, event_id, received_at) VALUES ('//s', 'kept', :a), ('//s', 'gone', :b)")
                .param("a", Timestamp.from(now.minus(Duration.ofDays(31)).minus(Duration.ofHours(23))))
                .param("b", Timestamp.from(now.minus(Duration.ofDays(32)).minusSeconds(1))).update();
        retention.purge();
        assertThat(jdbc.sql("SELECT event_id FROM usage_event_seen").query(String.class).list()).containsExactly("kept");
    }

    @Test
    void theOpenApiDocumentDescribesEveryEndpointTheServiceServes(
            @Autowired @Qualifier("requestMappingHandlerMapping") RequestMappingHandlerMapping handlers) {
        assertThat(OpenApiCoverage.assertDescribesEverything(port, handlers))
                .contains(new OpenApiCoverage.Endpoint("GET", "/api/dead-letters"),
                        new OpenApiCoverage.Endpoint("GET", "/api/billing/usage/summary"));
    }
}
