package io.marketbill.gateway.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.contracts.Topics;
import io.marketbill.contracts.UsageRecorded;
import io.marketbill.messaging.usage.UsageCodec;
import io.marketbill.testsupport.Http;
import io.marketbill.testsupport.TestInfrastructure;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code POST /api/usage} against the module's real KRaft broker: what is answered and what lands on usage.v1. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "marketbill.usage.producers[0].name=emqx-platform",
        "marketbill.usage.producers[0].key-sha256=0216153242c21fa5b75975a665a703db3d318d9bd59d7db3cd5ca600579b2ad8",
        "marketbill.usage.producers[0].sources[0]=//emqx.example/",
        "marketbill.usage.producers[1].name=zilliz-platform",
        // upper case hex is accepted too
        "marketbill.usage.producers[1].key-sha256=9B23F86D5589406B3E77D0D1EF6F203C25D294254379828194A64D158D653199",
        "marketbill.usage.producers[1].sources=//zilliz.example/,urn:zilliz:",
        "marketbill.usage.max-batch=5",
        "marketbill.usage.max-body=16KB"})
@ActiveProfiles("test")
class UsageEndpointTest {

    static final String EMQX_KEY = "emqx-test-key";
    static final String ZILLIZ_KEY = "zilliz-test-key";
    static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        TestInfrastructure.registerKafka(registry);
    }

    @LocalServerPort int port;
    @Autowired MeterRegistry meters;
    private final UsageCodec codec = new UsageCodec();
    /** Keys of this test run only: the topic is shared with the module's other tests. */
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    static String event(String source, String id, String subject, String subjectId, String quantity) {
        return "{\"specversion\":\"1.0\",\"type\":\"io.marketbill.usage.recorded.v1\",\"source\":\"" + source
                + "\",\"id\":\"" + id + "\",\"time\":\"2026-11-23T16:15:00+08:00\",\"datacontenttype\":\"application/json\","
                + "\"data\":{\"" + subject + "\":\"" + subjectId + "\",\"dimension\":\"cu_hours\",\"quantity\":"
                + quantity + "}}";
    }

    private java.net.http.HttpResponse<String> post(String contentType, String body, String... auth) {
        List<String> headers = new ArrayList<>(List.of(auth));
        if (contentType != null) {
            headers.add("Content-Type");
            headers.add(contentType);
        }
        return Http.request(port, "POST", "/api/usage", body, headers.toArray(String[]::new));
    }

    private static String[] bearer(String key) {
        return new String[] {"Authorization", "Bearer " + key};
    }

    /** Records of this run on usage.v1, from the start of the topic: until {@code expected} came, or the window. */
    private List<ConsumerRecord<String, String>> published(int expected, Duration window) {
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBrokers(),
                ConsumerConfig.GROUP_ID_CONFIG, "usage-test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(Topics.USAGE));
            long until = System.nanoTime() + window.toNanos();
            while (System.nanoTime() < until && (expected < 0 || got.size() < expected)) {
                c.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.key() != null && r.key().contains(run)) {
                        got.add(r);
                    }
                });
            }
        }
        return got;
    }

    private static JsonNode json(String body) {
        return JSON.readTree(body);
    }

    private double received(String producer, String outcome, String reason) {
        var counter = meters.find("marketbill.usage.received").tags("producer", producer, "outcome", outcome,
                "reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aSingleEventIsOnKafkaOnceDurableKeyedByItsSubscriptionInCanonicalForm() {
        String subscription = "aliyun:ORDERBIZ-" + run;
        String body = event("//emqx.example/cluster/eu-1", "ev-1-" + run, "subscriptionId", subscription, "\"0.250\"");
        double before = received("emqx-platform", "accepted", "none");

        var r = post("application/cloudevents+json", body, bearer(EMQX_KEY));

        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("json"));
        assertThat(json(r.body()).get("accepted").asInt()).isEqualTo(1);
        assertThat(json(r.body()).get("rejected").size()).isZero();
        List<ConsumerRecord<String, String>> got = published(1, Duration.ofSeconds(10));
        assertThat(got).hasSize(1);
        ConsumerRecord<String, String> record = got.get(0);
        assertThat(record.key()).isEqualTo(subscription);
        // re-encoded: the offset time in UTC, the quantity without trailing zeros, keys in the canonical order
        assertThat(record.value()).isEqualTo(codec.encode(codec.decode(body)));
        UsageRecorded u = codec.decode(record.value());
        assertThat(u.time()).isEqualTo(Instant.parse("2026-11-23T08:15:00Z"));
        assertThat(u.quantity()).isEqualByComparingTo(new BigDecimal("0.25"));
        assertThat(u.source()).isEqualTo("//emqx.example/cluster/eu-1");
        Header contentType = record.headers().lastHeader("content-type");
        assertThat(new String(contentType.value(), StandardCharsets.UTF_8)).startsWith("application/cloudevents+json");
        assertThat(received("emqx-platform", "accepted", "none")).isEqualTo(before + 1);
    }

    @Test
    void plainJsonIsOneEventTheKeyMayComeAsXApiKeyAndAnOrganizationIsTheRecordKey() {
        String org = "org-" + run;
        var r = post("application/json; charset=UTF-8",
                event("urn:zilliz:cluster-7", "ev-2-" + run, "organizationId", org, "3"), "X-Api-Key", ZILLIZ_KEY);

        assertThat(r.statusCode()).isEqualTo(202);
        List<ConsumerRecord<String, String>> got = published(1, Duration.ofSeconds(10));
        assertThat(got).extracting(ConsumerRecord::key).containsExactly(org);
        assertThat(codec.decode(got.get(0).value()).organizationId()).isEqualTo(org);
    }

    @Test
    void aBatchPublishesItsValidEventsAndListsTheOthersWithTheirReasons() {
        String batch = "[" + String.join(",",
                event("//zilliz.example/a", "b-0-" + run, "organizationId", "org-a-" + run, "1.5"),
                event("//zilliz.example/a", "b-1-" + run, "organizationId", "org-b-" + run, "-1"),
                event("urn:zilliz:c", "b-2-" + run, "subscriptionId", "aws:123456789012:l-" + run, "\"2\""),
                event("//zilliz.example/a", "", "organizationId", "org-c-" + run, "1"),
                event("//emqx.example/x", "b-4-" + run, "organizationId", "org-d-" + run, "1")) + "]";
        double before = received("zilliz-platform", "rejected", "source_not_allowed");

        var r = post("application/cloudevents-batch+json", batch, bearer(ZILLIZ_KEY));

        assertThat(r.statusCode()).isEqualTo(202);
        JsonNode body = json(r.body());
        assertThat(body.get("accepted").asInt()).isEqualTo(2);
        JsonNode rejected = body.get("rejected");
        assertThat(rejected.size()).isEqualTo(3);
        assertThat(rejected.get(0).get("index").asInt()).isEqualTo(1);
        assertThat(rejected.get(0).get("id").asString()).isEqualTo("b-1-" + run);
        assertThat(rejected.get(0).get("reason").asString()).isEqualTo("bad_quantity");
        assertThat(rejected.get(0).get("message").asString()).isNotBlank();
        assertThat(rejected.get(1).get("index").asInt()).isEqualTo(3);
        assertThat(rejected.get(1).get("reason").asString()).isEqualTo("missing_id");
        assertThat(rejected.get(2).get("index").asInt()).isEqualTo(4);
        assertThat(rejected.get(2).get("id").asString()).isEqualTo("b-4-" + run);
        assertThat(rejected.get(2).get("reason").asString()).isEqualTo("source_not_allowed");

        List<ConsumerRecord<String, String>> got = published(-1, Duration.ofSeconds(4));
        assertThat(got).extracting(ConsumerRecord::key)
                .containsExactlyInAnyOrder("org-a-" + run, "aws:123456789012:l-" + run);
        assertThat(got.stream().map(rec -> codec.decode(rec.value()).id()).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("b-0-" + run, "b-2-" + run);
        assertThat(received("zilliz-platform", "rejected", "source_not_allowed")).isEqualTo(before + 1);
        assertThat(received("zilliz-platform", "rejected", "bad_quantity")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aBatchWithoutAValidEventIs400WithTheSameShapeAndPublishesNothing() {
        String batch = "[" + event("//zilliz.example/a", "n-0-" + run, "organizationId", "org-n-" + run, "\"1.1234567\"")
                + ",42]";

        var r = post("application/cloudevents-batch+json", batch, bearer(ZILLIZ_KEY));

        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode body = json(r.body());
        assertThat(body.get("accepted").asInt()).isZero();
        assertThat(body.get("rejected").findValuesAsString("reason")).containsExactly("bad_quantity", "not_an_event");
        assertThat(body.get("rejected").get(1).get("id").isNull()).isTrue();
        assertThat(published(-1, Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void aSingleInvalidEventOrABodyThatIsNotJsonIs400WithTheCodecsReason() {
        var r = post("application/cloudevents+json",
                event("//emqx.example/a", "i-1-" + run, "organizationId", "org-i-" + run, "1").replace("+08:00", ""),
                bearer(EMQX_KEY));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r.body()).get("error").asString()).isEqualTo("bad_time");
        assertThat(json(r.body()).get("message").asString()).contains("RFC 3339");

        var notJson = post("application/cloudevents-batch+json", "[{", bearer(EMQX_KEY));
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(json(notJson.body()).get("error").asString()).isEqualTo("malformed_json");

        var notABatch = post("application/cloudevents-batch+json", "{}", bearer(EMQX_KEY));
        assertThat(notABatch.statusCode()).isEqualTo(400);
        assertThat(json(notABatch.body()).get("error").asString()).isEqualTo("not_a_batch");
        assertThat(published(-1, Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void withoutAKnownApiKeyItIs401AndNothingIsPublished() {
        String body = event("//emqx.example/a", "k-1-" + run, "organizationId", "org-k-" + run, "1");
        double before = received(UsageCounts.UNKNOWN_PRODUCER, "rejected", "unauthorized");

        var none = post("application/cloudevents+json", body);
        var wrongBearer = post("application/cloudevents+json", body, bearer("not-a-key"));
        var wrongHeader = post("application/cloudevents+json", body, "X-Api-Key", EMQX_KEY + "x");
        // the local development producer of application.yml is replaced by this test's producers
        var local = post("application/cloudevents+json", body, bearer("local-usage-key"));
        var basic = post("application/cloudevents+json", body, "Authorization", "Basic ZW1xeC10ZXN0LWtleQ==");

        for (var r : List.of(none, wrongBearer, wrongHeader, local, basic)) {
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(json(r.body()).get("error").asString()).isEqualTo("unauthorized");
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(r.body()).doesNotContain(EMQX_KEY).doesNotContain("not-a-key");
            assertThat(r.headers().allValues("Set-Cookie")).isEmpty();
        }
        assertThat(received(UsageCounts.UNKNOWN_PRODUCER, "rejected", "unauthorized")).isEqualTo(before + 5);
        assertThat(published(-1, Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void anEventOfASourceTheProducerMayNotUseIsRefused() {
        // "//emqx.example/" does not admit a look-alike host
        var r = post("application/cloudevents+json",
                event("//emqx.example.evil/a", "s-1-" + run, "organizationId", "org-s-" + run, "1"), bearer(EMQX_KEY));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(json(r.body()).get("error").asString()).isEqualTo("source_not_allowed");

        var other = post("application/cloudevents+json",
                event("//zilliz.example/a", "s-2-" + run, "organizationId", "org-s2-" + run, "1"), bearer(EMQX_KEY));
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(published(-1, Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void otherContentTypesAre415() {
        String body = event("//emqx.example/a", "c-1-" + run, "organizationId", "org-c-" + run, "1");
        for (String type : new String[] {"text/plain", "application/xml", "application/x-www-form-urlencoded",
                "application/cloudevents+json; charset=ISO-8859-1", "not a type", null}) {
            var r = post(type, body, bearer(EMQX_KEY));
            assertThat(r.statusCode()).as(String.valueOf(type)).isEqualTo(415);
            assertThat(json(r.body()).get("error").asString()).isEqualTo("unsupported_media_type");
        }
        assertThat(received("emqx-platform", "rejected", "unsupported_media_type")).isGreaterThanOrEqualTo(6);
        assertThat(published(-1, Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void aBatchOverMaxBatchOrABodyOverMaxBodyIs413() {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            events.add(event("//emqx.example/a", "t-" + i + "-" + run, "organizationId", "org-t-" + run, "1"));
        }
        var tooMany = post("application/cloudevents-batch+json", "[" + String.join(",", events) + "]", bearer(EMQX_KEY));
        assertThat(tooMany.statusCode()).isEqualTo(413);
        assertThat(json(tooMany.body()).get("error").asString()).isEqualTo("too_many_events");
        assertThat(json(tooMany.body()).get("message").asString()).contains("at most 5");

        String padded = event("//emqx.example/a", "t-big-" + run, "organizationId", "org-t-" + run, "1")
                .replace("\"specversion\"", "\"padding\":\"" + "x".repeat(20_000) + "\",\"specversion\"");
        var tooLarge = post("application/cloudevents+json", padded, bearer(EMQX_KEY));
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(json(tooLarge.body()).get("error").asString()).isEqualTo("payload_too_large");
        assertThat(published(-1, Duration.ofSeconds(2))).isEmpty();
    }
}
