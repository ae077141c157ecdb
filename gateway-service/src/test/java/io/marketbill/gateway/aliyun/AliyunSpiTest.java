package io.marketbill.gateway.aliyun;

import io.marketbill.protocols.aliyun.AliyunSpiToken;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.SubscriptionClosed;
import io.marketbill.contracts.SubscriptionOpened;
import io.marketbill.contracts.Topics;
import io.marketbill.messaging.codec.EventCodec;
import io.marketbill.testsupport.TestInfrastructure;
import io.marketbill.testsupport.TestTokens;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The Alibaba SPI at the gateway against a real KRaft broker. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@org.springframework.test.context.ActiveProfiles("test")
class AliyunSpiTest {

    static final String KEY = "test-spi-key";
    /** The stand-in subscription-service: the product of each instance it knows. */
    static final Map<String, String> productOf = new java.util.concurrent.ConcurrentHashMap<>();
    static com.sun.net.httpserver.HttpServer subscriptionService;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) throws Exception {
        TestInfrastructure.registerKafka(registry);
        // the gateway calls subscription-service with its own token, from the test identity provider
        TestTokens.registerClient(registry);
        subscriptionService = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        subscriptionService.createContext("/api/subscriptions/", x -> {
            String id = java.net.URLDecoder.decode(x.getRequestURI().getPath().substring("/api/subscriptions/".length()),
                    StandardCharsets.UTF_8);
            String product = productOf.get(id);
            byte[] b = (product == null ? "{\"error\":\"not_found\"}"
                    : "{\"id\":\"" + id + "\",\"productCode\":\"" + product + "\"}").getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(product == null ? 404 : 200, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        subscriptionService.start();
        registry.add("marketbill.subscription-service-url",
                () -> "http://127.0.0.1:" + subscriptionService.getAddress().getPort());
    }

    @org.junit.jupiter.api.AfterAll
    static void stopSubscriptionService() {
        subscriptionService.stop(0);
    }

    @LocalServerPort int port;
    @LocalManagementPort int managementPort;
    @Autowired EventCodec codec;
    private final HttpClient http = HttpClient.newHttpClient();
    private KafkaConsumer<String, String> topic;

    @BeforeEach
    void subscribe() {
        topic = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBrokers(),
                ConsumerConfig.GROUP_ID_CONFIG, "t-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"), new StringDeserializer(), new StringDeserializer());
        topic.subscribe(List.of(Topics.MARKETPLACE_SUBSCRIPTIONS));
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (topic.assignment().isEmpty() && System.nanoTime() < until) {
            topic.poll(Duration.ofMillis(100));
        }
        // resolve "latest" now, so that nothing published by the test can fall before the start position
        topic.assignment().forEach(tp -> topic.position(tp, Duration.ofSeconds(10)));
    }

    @AfterEach
    void close() {
        topic.close();
    }

    static Map<String, String> signed(Map<String, String> params, String key) {
        Map<String, String> p = new LinkedHashMap<>(params);
        p.put("token", AliyunSpiToken.compute(params, key));
        return p;
    }

    static String query(Map<String, String> p) {
        return p.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    private HttpResponse<String> get(Map<String, String> p) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/marketplace/aliyun/spi?"
                + query(p))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(Map<String, String> p) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/marketplace/aliyun/spi"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(query(p))).build(), HttpResponse.BodyHandlers.ofString());
    }

    static Map<String, String> create(String orderBizId) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("action", "createInstance");
        p.put("aliUid", "1880000000000001");
        p.put("orderBizId", orderBizId);
        p.put("orderId", "2000" + orderBizId.hashCode());
        p.put("productCode", "cmgj00063418");
        p.put("skuId", "payg-sku");
        p.put("trial", "false");
        p.put("expiredOn", "2027-01-01 08:00:00");
        p.put("Count", "5");
        return p;
    }

    private List<ConsumerRecord<String, String>> records(String key, Duration window) {
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        long until = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < until) {
            topic.poll(Duration.ofMillis(200)).forEach(r -> {
                if (key.equals(r.key())) {
                    got.add(r);
                }
            });
        }
        return got;
    }

    @Test
    void createInstanceAnswersWithTheOrderBizIdAndPublishesSubscriptionOpenedOnceDurable() throws Exception {
        String orderBizId = "OBZ" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> r = get(signed(create(orderBizId), KEY));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"instanceId\":\"" + orderBizId + "\"")
                .contains("\"authUrl\":\"http://127.0.0.1:8080/marketplace/aliyun/sso\"").contains("\"frontEndUrl\"");

        List<ConsumerRecord<String, String>> got = records("aliyun:" + orderBizId, Duration.ofSeconds(3));
        assertThat(got).hasSize(1);
        EventEnvelope e = codec.decode(got.get(0).value());
        assertThat(e.type()).isEqualTo("SubscriptionOpened");
        assertThat(e.producer()).isEqualTo("gateway-service");
        SubscriptionOpened o = e.payloadAs(SubscriptionOpened.class);
        assertThat(o.marketplaceAccountId()).isEqualTo("1880000000000001");
        assertThat(o.productCode()).isEqualTo("cmgj00063418");
        assertThat(o.trial()).isFalse();
        assertThat(o.billableItems()).containsExactly(Map.entry("Count", "5"));
        // 2027-01-01 08:00:00 in Asia/Shanghai
        assertThat(o.expiresAt()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
    }

    /**
     * The 前台地址 is kept by the marketplace for the life of the instance: it names the instance, carries a signature
     * binding-service verifies with the login tickets' secret (application-test.yml), and no expiry.
     */
    @Test
    void createInstanceAnswersWithASignedFrontEndUrlForTheInstance() throws Exception {
        String orderBizId = "OBZ&" + UUID.randomUUID().toString().substring(0, 8) + "+1";
        HttpResponse<String> r = get(signed(create(orderBizId), KEY));
        assertThat(r.statusCode()).isEqualTo(200);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "\"frontEndUrl\":\"http://127\\.0\\.0\\.1:8080/binding/front\\?instance=([^&\"]+)&sig=([A-Za-z0-9_-]+)\"")
                .matcher(r.body());
        assertThat(m.find()).as(r.body()).isTrue();
        assertThat(java.net.URLDecoder.decode(m.group(1), StandardCharsets.UTF_8)).isEqualTo(orderBizId);
        assertThat(m.group(1)).doesNotContain("&").doesNotContain("+");
        byte[] secret = "test-login-ticket-secret-0123456789".getBytes(StandardCharsets.UTF_8);
        assertThat(io.marketbill.contracts.FrontEndLink.verify(orderBizId, m.group(2), secret)).isTrue();
        assertThat(io.marketbill.contracts.FrontEndLink.verify(orderBizId + "x", m.group(2), secret)).isFalse();
        // the same answer to a retry, today and in a year: nothing in it expires
        assertThat(get(signed(create(orderBizId), KEY)).body()).isEqualTo(r.body());
    }

    @Test
    void aRetriedCreateInstanceGetsTheSameAnswerAndTheSameEventId() throws Exception {
        String orderBizId = "OBZ" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> call = signed(create(orderBizId), KEY);
        HttpResponse<String> first = get(call);
        HttpResponse<String> second = post(call);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.body()).isEqualTo(first.body());
        List<ConsumerRecord<String, String>> got = records("aliyun:" + orderBizId, Duration.ofSeconds(3));
        assertThat(got).hasSize(2);
        assertThat(codec.decode(got.get(0).value()).eventId()).isEqualTo(codec.decode(got.get(1).value()).eventId());
    }

    @Test
    void releaseInstancePublishesSubscriptionClosedWithTheRefundFlag() throws Exception {
        String instanceId = "OBZ" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("action", "releaseInstance");
        p.put("instanceId", instanceId);
        p.put("isRefund", "true");
        HttpResponse<String> r = post(signed(p, KEY));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"success\":\"true\"}");
        List<ConsumerRecord<String, String>> got = records("aliyun:" + instanceId, Duration.ofSeconds(3));
        assertThat(got).hasSize(1);
        SubscriptionClosed closed = codec.decode(got.get(0).value()).payloadAs(SubscriptionClosed.class);
        assertThat(closed.refund()).isTrue();
    }

    @Test
    void badInputGetsAClear4xxJsonErrorAndPublishesNothing() throws Exception {
        String orderBizId = "BAD" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> good = create(orderBizId);

        HttpResponse<String> wrongKey = get(signed(good, "not-the-key"));
        assertThat(wrongKey.statusCode()).isEqualTo(403);
        assertThat(wrongKey.body()).contains("\"error\":\"invalid_token\"");
        assertThat(wrongKey.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("json"));

        Map<String, String> tampered = signed(good, KEY);
        tampered.put("aliUid", "999");
        assertThat(get(tampered).statusCode()).isEqualTo(403);

        Map<String, String> missing = new LinkedHashMap<>(good);
        missing.remove("aliUid");
        HttpResponse<String> noUid = get(signed(missing, KEY));
        assertThat(noUid.statusCode()).isEqualTo(400);
        assertThat(noUid.body()).contains("\"error\":\"missing_parameter\"").contains("aliUid");

        Map<String, String> unknown = new LinkedHashMap<>(good);
        unknown.put("action", "launchRockets");
        HttpResponse<String> unknownAction = get(signed(unknown, KEY));
        assertThat(unknownAction.statusCode()).isEqualTo(400);
        assertThat(unknownAction.body()).contains("\"error\":\"unknown_action\"");

        Map<String, String> badTrial = new LinkedHashMap<>(good);
        badTrial.put("trial", "maybe");
        assertThat(get(signed(badTrial, KEY)).body()).contains("invalid_parameter");

        Map<String, String> noToken = new LinkedHashMap<>(good);
        assertThat(get(noToken).statusCode()).isEqualTo(400);

        HttpResponse<String> duplicated = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/marketplace/aliyun/spi?" + query(signed(good, KEY)) + "&aliUid=1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(duplicated.statusCode()).isEqualTo(400);
        assertThat(duplicated.body()).contains("duplicate_parameter");

        assertThat(records("aliyun:" + orderBizId, Duration.ofSeconds(3))).isEmpty();

        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
                + "/actuator/prometheus")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).contains("marketbill_callbacks_rejected_total{")
                .contains("reason=\"invalid_token\"").contains("reason=\"missing_parameter\"");
    }

    private Map<String, String> action(String action, String instanceId, String... kv) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("action", action);
        p.put("instanceId", instanceId);
        for (int i = 0; i < kv.length; i += 2) {
            p.put(kv[i], kv[i + 1]);
        }
        return signed(p, KEY);
    }

    @Test
    void everyLifecycleActionMapsToItsEvent() throws Exception {
        String id = "OBZ" + UUID.randomUUID().toString().substring(0, 8);
        productOf.put("aliyun:" + id, "cmgj00063418");
        assertThat(get(action("renewInstance", id, "orderId", "R1", "expiredOn", "2027-02-01 08:00:00")).body())
                .isEqualTo("{\"success\":\"true\"}");
        assertThat(post(action("upgradeInstance", id, "orderId", "U1", "skuId", "bigger", "Count", "9",
                "somethingNew", "x")).statusCode()).isEqualTo(200);
        assertThat(get(action("refundRenewInstance", id, "expiredOn", "2027-01-01 08:00:00")).statusCode())
                .isEqualTo(200);
        assertThat(get(action("expiredInstance", id)).statusCode()).isEqualTo(200);
        assertThat(get(action("expiredInstance", id)).statusCode()).isEqualTo(200);

        List<EventEnvelope> events = records("aliyun:" + id, Duration.ofSeconds(3)).stream()
                .map(r -> codec.decode(r.value())).toList();
        assertThat(events).extracting(EventEnvelope::type).containsExactly("SubscriptionChanged",
                "SubscriptionChanged", "SubscriptionChanged", "SubscriptionFrozen", "SubscriptionFrozen");
        var renewed = events.get(0).payloadAs(io.marketbill.contracts.SubscriptionChanged.class);
        assertThat(renewed.change()).isEqualTo("RENEWED");
        assertThat(renewed.expiresAt()).isEqualTo(Instant.parse("2027-02-01T00:00:00Z"));
        var upgraded = events.get(1).payloadAs(io.marketbill.contracts.SubscriptionChanged.class);
        assertThat(upgraded.change()).isEqualTo("UPGRADED");
        assertThat(upgraded.skuId()).isEqualTo("bigger");
        assertThat(upgraded.billableItems()).as("configured items only").containsExactly(Map.entry("Count", "9"));
        assertThat(events.get(2).payloadAs(io.marketbill.contracts.SubscriptionChanged.class).change())
                .isEqualTo("RENEWAL_REFUNDED");
        // expiredInstance has no natural key: the state machine makes the repeat a no-op
        assertThat(events.get(3).eventId()).isNotEqualTo(events.get(4).eventId());
    }

    @Test
    void aRenewalWithoutAnOrderIdIsAcceptedAndItsRetryIsTheSameEvent() throws Exception {
        String id = "PAYG" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> renew = action("renewInstance", id, "expiredOn", "2027-02-01 08:00:00");
        assertThat(get(renew).body()).isEqualTo("{\"success\":\"true\"}");
        assertThat(get(renew).statusCode()).isEqualTo(200);
        List<EventEnvelope> events = records("aliyun:" + id, Duration.ofSeconds(3)).stream()
                .map(r -> codec.decode(r.value())).toList();
        assertThat(events).hasSize(2);
        assertThat(events.get(0).eventId()).isEqualTo(events.get(1).eventId());
        var renewed = events.get(0).payloadAs(io.marketbill.contracts.SubscriptionChanged.class);
        assertThat(renewed.orderId()).isNull();
        assertThat(renewed.expiresAt()).isEqualTo(Instant.parse("2027-02-01T00:00:00Z"));
    }

    @Test
    void anUpgradeKeepsOnlyTheBillableItemsOfTheInstancesOwnProduct() throws Exception {
        // EMQX (cmgj00069406) has no extra billable items; Count is Zilliz's
        String emqx = "UPG" + UUID.randomUUID().toString().substring(0, 8);
        productOf.put("aliyun:" + emqx, "cmgj00069406");
        assertThat(get(action("upgradeInstance", emqx, "orderId", "U1", "skuId", "bigger", "Count", "9")).statusCode())
                .isEqualTo(200);
        // an instance subscription-service does not know yet: its createInstance may still be on its way
        String unknown = "UPG" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> early = get(action("upgradeInstance", unknown, "orderId", "U2", "skuId", "bigger"));
        assertThat(early.statusCode()).isEqualTo(503);
        assertThat(early.body()).contains("\"success\":\"false\"");

        List<EventEnvelope> events = records("aliyun:" + emqx, Duration.ofSeconds(3)).stream()
                .map(r -> codec.decode(r.value())).toList();
        assertThat(events).singleElement().satisfies(e -> assertThat(
                e.payloadAs(io.marketbill.contracts.SubscriptionChanged.class).billableItems()).isEmpty());
        assertThat(records("aliyun:" + unknown, Duration.ofSeconds(1))).isEmpty();
    }

    @Test
    void renewWithoutItsRequiredParametersIsRefused() throws Exception {
        HttpResponse<String> r = get(action("renewInstance", "X1", "orderId", "R1"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("expiredOn");
        assertThat(get(action("renewInstance", "X1", "orderId", "R1", "expiredOn", "tomorrow")).body())
                .contains("invalid_parameter");
    }

    @Test
    void aProductThatIsNotConfiguredIsRefusedAndNothingIsPublished() throws Exception {
        String orderBizId = "UNK" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> p = create(orderBizId);
        p.put("productCode", "cmgj99999999");
        HttpResponse<String> r = get(signed(p, KEY));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("\"error\":\"unknown_product\"").contains("cmgj99999999");
        assertThat(records("aliyun:" + orderBizId, Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void oneHundredTwentyIdenticalCreateInstanceCallsGetOneAnswerAndOneEventId() throws Exception {
        String orderBizId = "R120" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> call = signed(create(orderBizId), KEY);
        java.util.Set<String> answers = new java.util.HashSet<>();
        for (int i = 0; i < 120; i++) {
            answers.add(get(call).body());
        }
        assertThat(answers).hasSize(1);
        assertThat(answers.iterator().next()).contains("\"instanceId\":\"" + orderBizId + "\"");
        List<ConsumerRecord<String, String>> got = records("aliyun:" + orderBizId, Duration.ofSeconds(3));
        assertThat(got).hasSize(120);
        assertThat(got.stream().map(r -> codec.decode(r.value()).eventId()).distinct()).hasSize(1);
    }

    @Test
    void anOversizedBodyIsRefusedWith413() throws Exception {
        String big = "action=createInstance&pad=" + "x".repeat(70 * 1024);
        // Repeated: the client must see the 413 every time, never a connection reset while still sending.
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/marketplace/aliyun/spi")).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(big)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(413);
            assertThat(r.body()).contains("payload_too_large");
        }
    }

    @Test
    void readinessIncludesKafka() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
                + "/actuator/health/readiness")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"kafka\"");
    }
}
