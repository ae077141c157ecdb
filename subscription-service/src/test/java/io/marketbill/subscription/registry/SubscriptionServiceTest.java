package io.marketbill.subscription.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.SubscriptionChanged;
import io.marketbill.contracts.SubscriptionClosed;
import io.marketbill.contracts.SubscriptionFrozen;
import io.marketbill.contracts.SubscriptionOpened;
import io.marketbill.contracts.Topics;
import io.marketbill.messaging.codec.EventCodec;
import io.marketbill.testsupport.TestTokens;
import io.marketbill.testsupport.OpenApiCoverage;
import io.marketbill.testsupport.TestInfrastructure;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/** One real round trip: lifecycle events from Kafka into PostgreSQL and out through the API. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "marketbill.messaging.max-attempts=3", "marketbill.messaging.initial-retry-interval=50ms",
        "marketbill.messaging.outbox-poll-interval=100ms"})
class SubscriptionServiceTest {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
    }

    @Autowired KafkaTemplate<String, String> kafka;
    @Autowired EventCodec codec;
    @Autowired JdbcClient jdbc;
    @LocalServerPort int port;
    private final HttpClient http = HttpClient.newHttpClient();

    private void publish(String subscriptionId, Object payload) throws Exception {
        publish(EventEnvelope.of(UUID.randomUUID(), Instant.now(), "gateway-service", subscriptionId,
                (io.marketbill.contracts.EventPayload) payload));
    }

    private void publish(String subscriptionId, Object payload, Instant at) throws Exception {
        publish(EventEnvelope.of(UUID.randomUUID(), at, "gateway-service", subscriptionId,
                (io.marketbill.contracts.EventPayload) payload));
    }

    private void publish(EventEnvelope e) throws Exception {
        kafka.send(Topics.MARKETPLACE_SUBSCRIPTIONS, e.subscriptionId(), codec.encode(e)).get(10, TimeUnit.SECONDS);
    }

    private static SubscriptionOpened opened() {
        return new SubscriptionOpened("cmgj00063418", "payg", false, "1880000000000001", "20001", null,
                Map.of("Count", "3"), null, null);
    }

    /** As an operator (the registry's API is theirs, and the gateway's with its own token). */
    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", TestTokens.bearer(TestTokens.operator("u-ops"))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String state(String id) {
        return jdbc.sql("SELECT state FROM subscription WHERE id = :id").param("id", id).query(String.class)
                .optional().orElse("NONE");
    }

    private long history(String id) {
        return jdbc.sql("SELECT count(*) FROM subscription_history WHERE subscription_id = :id").param("id", id)
                .query(Long.class).single();
    }

    @Test
    void openedThenClosedIsVisibleThroughTheApiAndRepeatsChangeNothing() throws Exception {
        String id = "aliyun:" + UUID.randomUUID();
        EventEnvelope open = EventEnvelope.of(UUID.randomUUID(), Instant.parse("2026-11-22T08:00:00Z"),
                "gateway-service", id, opened());
        publish(open);
        publish(open);
        await().atMost(Duration.ofSeconds(20)).until(() -> state(id).equals("ACTIVE"));

        HttpResponse<String> shown = get("/api/subscriptions/" + URLEncoder.encode(id, StandardCharsets.UTF_8));
        assertThat(shown.statusCode()).isEqualTo(200);
        assertThat(shown.body()).contains("\"state\":\"ACTIVE\"").contains("\"marketplaceAccountId\":\"1880000000000001\"")
                .contains("\"billableItems\":{\"Count\":\"3\"}").contains("\"productCode\":\"cmgj00063418\"");

        publish(id, new SubscriptionClosed(true, null, "RELEASED"));
        await().atMost(Duration.ofSeconds(20)).until(() -> state(id).equals("CLOSED"));
        assertThat(history(id)).isEqualTo(2);
        assertThat(get("/api/subscriptions/" + URLEncoder.encode(id, StandardCharsets.UTF_8)).body())
                .contains("\"state\":\"CLOSED\"").contains("\"closedAt\"");
        assertThat(get("/api/subscriptions/aliyun%3Anope").statusCode()).isEqualTo(404);
        assertThat(get("/api/subscriptions?state=bogus").statusCode()).isEqualTo(400);
        assertThat(get("/api/subscriptions?marketplaceAccountId=1880000000000001&productCode=cmgj00063418&state=CLOSED")
                .body()).contains(id);
        assertThat(get("/api/subscriptions?marketplaceAccountId=someone-else").body()).doesNotContain(id);
    }

    @Test
    void aRefundOfTheRenewalThatUnfrozeASubscriptionFreezesItAgainOnceItsExpiryHasPassed() throws Exception {
        String id = "aliyun:" + UUID.randomUUID();
        publish(id, opened());
        publish(id, new SubscriptionFrozen("EXPIRED", null));
        await().atMost(Duration.ofSeconds(20)).until(() -> state(id).equals("FROZEN"));
        publish(id, new SubscriptionChanged("RENEWED", "20002", null, Instant.parse("2027-01-01T00:00:00Z"), Map.of()));
        await().atMost(Duration.ofSeconds(20)).until(() -> state(id).equals("ACTIVE"));
        // the buyer refunds that renewal: the expiry goes back to yesterday, so the subscription is expired again
        Instant expiredAgain = Instant.now().minus(Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        publish(id, new SubscriptionChanged("RENEWAL_REFUNDED", null, null, expiredAgain, Map.of()));
        await().atMost(Duration.ofSeconds(20)).until(() -> state(id).equals("FROZEN"));
        assertThat(jdbc.sql("SELECT expires_at FROM subscription WHERE id = :id").param("id", id)
                .query(java.sql.Timestamp.class).single().toInstant()).isEqualTo(expiredAgain);
        assertThat(io.marketbill.testsupport.TopicRecords.values(Topics.MARKETPLACE_SUBSCRIPTIONS, id,
                Duration.ofSeconds(20))).anySatisfy(v -> assertThat(v).contains("\"type\":\"SubscriptionFrozen\"")
                .contains("\"reason\":\"RENEWAL_REFUNDED\"").contains("\"producer\":\"subscription-service\""));
        assertThat(get("/api/subscriptions/" + URLEncoder.encode(id, StandardCharsets.UTF_8)).body())
                .contains("RENEWAL_REFUNDED");
    }

    @Test
    void aRefundThatLeavesTheExpiryAheadOrOfASubscriptionNoRenewalUnfrozeOnlyMovesTheExpiry() throws Exception {
        String renewed = "aliyun:" + UUID.randomUUID();
        publish(renewed, opened());
        publish(renewed, new SubscriptionFrozen("EXPIRED", null));
        await().atMost(Duration.ofSeconds(20)).until(() -> state(renewed).equals("FROZEN"));
        publish(renewed, new SubscriptionChanged("RENEWED", "20002", null, Instant.parse("2027-06-01T00:00:00Z"),
                Map.of()));
        Instant ahead = Instant.parse("2027-01-01T00:00:00Z");
        publish(renewed, new SubscriptionChanged("RENEWAL_REFUNDED", null, null, ahead, Map.of()));
        String neverFrozen = "aliyun:" + UUID.randomUUID();
        publish(neverFrozen, opened());
        publish(neverFrozen, new SubscriptionChanged("RENEWAL_REFUNDED", null, null,
                Instant.parse("2026-01-01T00:00:00Z"), Map.of()));
        await().atMost(Duration.ofSeconds(20)).until(() -> history(renewed) == 4 && history(neverFrozen) == 2);
        assertThat(state(renewed)).isEqualTo("ACTIVE");
        assertThat(jdbc.sql("SELECT expires_at FROM subscription WHERE id = :id").param("id", renewed)
                .query(java.sql.Timestamp.class).single().toInstant()).isEqualTo(ahead);
        assertThat(state(neverFrozen)).isEqualTo("ACTIVE");
    }

    @Test
    void aRenewalOfAFrozenSubscriptionResumesItAndSaysSoThroughTheOutbox() throws Exception {
        String id = "aliyun:" + UUID.randomUUID();
        publish(id, opened());
        publish(id, new SubscriptionFrozen("EXPIRED", null));
        await().atMost(Duration.ofSeconds(20)).until(() -> state(id).equals("FROZEN"));
        Instant newExpiry = Instant.parse("2027-01-01T00:00:00Z");
        publish(id, new SubscriptionChanged("RENEWED", "20002", null, newExpiry, Map.of()));
        await().atMost(Duration.ofSeconds(20)).until(() -> state(id).equals("ACTIVE"));

        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBrokers(),
                ConsumerConfig.GROUP_ID_CONFIG, "t-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(Topics.MARKETPLACE_SUBSCRIPTIONS));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                for (var r : c.poll(Duration.ofMillis(200))) {
                    if (id.equals(r.key()) && r.value().contains("\"type\":\"SubscriptionResumed\"")
                            && r.value().contains("\"producer\":\"subscription-service\"")) {
                        return true;
                    }
                }
                return false;
            });
        }
        // the service consumes its own SubscriptionResumed too: already ACTIVE, so nothing changes. A marker
        // published after it on the same partition tells when it has been consumed.
        publish(id, new SubscriptionChanged("UPGRADED", "20003", "bigger-sku", null, Map.of()));
        await().atMost(Duration.ofSeconds(20)).until(() -> history(id) == 4);
        assertThat(get("/api/subscriptions/" + id.replace(":", "%3A")).body())
                .contains("\"skuId\":\"bigger-sku\"").doesNotContain("\"type\":\"SubscriptionResumed\"")
                .contains("\"details\":{\"change\":\"RENEWED\"");
        // the renewed term has ended: the marketplace expires the subscription (twice, as it may)
        Instant afterTerm = newExpiry.plus(Duration.ofMinutes(5));
        publish(id, new SubscriptionFrozen("EXPIRED", null), afterTerm);
        publish(id, new SubscriptionFrozen("EXPIRED", null), afterTerm);
        publish(id, new SubscriptionChanged("UPGRADED", "20004", "biggest-sku", null, Map.of()), afterTerm);
        await().atMost(Duration.ofSeconds(20)).until(() -> history(id) == 6);
        assertThat(state(id)).as("a repeated freeze changes nothing and leaves no trace").isEqualTo("FROZEN");
    }

    @Test
    void aReplayedExpiryDuringTheTermARenewalPaidForChangesNothingButTheNextRealExpiryFreezes() throws Exception {
        String id = "aliyun:" + UUID.randomUUID();
        Instant renewedTo = Instant.parse("2027-12-01T00:00:00Z");
        publish(id, opened(), Instant.parse("2026-11-01T08:00:00Z"));
        publish(id, new SubscriptionFrozen("EXPIRED", null), Instant.parse("2026-12-01T00:00:00Z"));
        publish(id, new SubscriptionChanged("RENEWED", "20002", null, renewedTo, Map.of()),
                Instant.parse("2026-12-01T09:00:00Z"));
        await().atMost(Duration.ofSeconds(20)).until(() -> history(id) == 3);
        // someone replays the captured expiredInstance call: the gateway gives every call its own event id
        publish(id, new SubscriptionFrozen("EXPIRED", null), Instant.parse("2026-12-10T00:00:00Z"));
        publish(id, new SubscriptionChanged("UPGRADED", "20003", "bigger-sku", null, Map.of()),
                Instant.parse("2026-12-10T00:00:01Z"));
        await().atMost(Duration.ofSeconds(20)).until(() -> history(id) == 4);
        assertThat(state(id)).isEqualTo("ACTIVE");
        assertThat(frozenEntries(id)).isEqualTo(1);

        publish(id, new SubscriptionFrozen("EXPIRED", null), renewedTo.plus(Duration.ofMinutes(1)));
        await().atMost(Duration.ofSeconds(20)).until(() -> state(id).equals("FROZEN"));
        assertThat(frozenEntries(id)).isEqualTo(2);
    }

    private long frozenEntries(String id) {
        return jdbc.sql("SELECT count(*) FROM subscription_history WHERE subscription_id = :id"
                        + " AND event_type = 'SubscriptionFrozen'").param("id", id).query(Long.class).single();
    }

    @Test
    void anAwsAgreementIsRecordedBeforeItsBuyerRegistersAndFoundByItsIdAfter() throws Exception {
        // the ids of the License Updated example in
        // https://docs.aws.amazon.com/marketplace/latest/userguide/notifications-eventbridge.html
        String agreement = "agmt-4mwg1nevbokzw95eca5797ixs";
        String id = "aws:845735284135:l-e52ca6f38bf84d0fafb8802ca15ac11x";
        String arn = "aws:license-manager:us-east-1:123456789012:l-e52ca6f38bf84d0fafb8802ca15ac11x";
        String recorded = "{\"agreementId\":\"" + agreement + "\",\"subscriptionId\":\"" + id
                + "\",\"licenseArn\":\"" + arn + "\"}";
        HttpResponse<String> first = post("/internal/aws-agreements", recorded);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).contains("\"subscriptionId\":\"" + id + "\"").contains("\"subscriptionState\":null");

        publish(id, new SubscriptionOpened("zilliz-aws", null, false, "845735284135", null, null, Map.of(), null,
                "arn:" + arn));
        await().atMost(Duration.ofSeconds(20)).until(() -> state(id).equals("ACTIVE"));
        assertThat(get("/internal/aws-agreements?agreementId=" + agreement).body())
                .contains("\"licenseArn\":\"" + arn + "\"").contains("\"subscriptionState\":\"ACTIVE\"");
        assertThat(post("/internal/aws-agreements", recorded).body()).contains("\"subscriptionState\":\"ACTIVE\"");

        assertThat(get("/internal/aws-agreements?agreementId=agmt-never-seen").statusCode()).isEqualTo(404);
        assertThat(post("/internal/aws-agreements", recorded.replace(agreement, "agmt bad")).statusCode())
                .isEqualTo(400);
        assertThat(post("/internal/aws-agreements", recorded.replace(id, "aliyun:x")).statusCode()).isEqualTo(400);
    }

    @Test
    void aFreeLoginLinkIsClaimedOnceUntilItWouldBeStaleAnyway() throws Exception {
        String key = randomSha256();
        String claim = "{\"tokenSha256\":\"" + key + "\",\"expiresAt\":\"" + Instant.now().plus(Duration.ofMinutes(10))
                + "\"}";
        assertThat(post("/internal/free-login-claims", claim).statusCode()).isEqualTo(201);
        HttpResponse<String> again = post("/internal/free-login-claims", claim);
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).contains("already_claimed");

        String stale = "{\"tokenSha256\":\"" + randomSha256() + "\",\"expiresAt\":\"" + Instant.now().minusSeconds(1)
                + "\"}";
        assertThat(post("/internal/free-login-claims", stale).statusCode()).isEqualTo(201);
        assertThat(post("/internal/free-login-claims", stale).statusCode()).as("its claim was cleared").isEqualTo(201);
        assertThat(post("/internal/free-login-claims", claim.replace(key, key.toUpperCase(java.util.Locale.ROOT)))
                .statusCode()).isEqualTo(400);
    }

    private static String randomSha256() throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** As the gateway: {@code /internal/**} with a service's own token. */
    private HttpResponse<String> post(String path, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", TestTokens.bearer(SERVICE))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static final String SERVICE = TestTokens.token(TestTokens.CLIENT_ID, java.util.List.of("service"),
            Duration.ofMinutes(30));

    @Test
    void anEventForAnUnknownSubscriptionIsDeadLetteredAndReplayedOnceItsOpeningArrived() throws Exception {
        String id = "aliyun:" + UUID.randomUUID();
        publish(id, new SubscriptionClosed(false, null, "RELEASED"));
        String other = "aliyun:" + UUID.randomUUID();
        publish(other, opened());
        await().atMost(Duration.ofSeconds(20)).until(() -> state(other).equals("ACTIVE"));
        await().atMost(Duration.ofSeconds(20)).until(() -> get("/api/dead-letters").body().contains(id));
        assertThat(state(id)).isEqualTo("NONE");

        publish(id, opened());
        await().atMost(Duration.ofSeconds(20)).until(() -> state(id).equals("ACTIVE"));
        long deadLetter = jdbc.sql("SELECT id FROM dead_letter WHERE message_key = :k").param("k", id)
                .query(Long.class).single();
        HttpResponse<String> replay = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/dead-letters/" + deadLetter + "/replay"))
                .header("Authorization", TestTokens.bearer(TestTokens.operator("u-ops")))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(replay.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> state(id).equals("CLOSED"));
    }

    @Test
    void theOpenApiDocumentDescribesEveryEndpointTheServiceServes(
            @Autowired @Qualifier("requestMappingHandlerMapping") RequestMappingHandlerMapping handlers) {
        assertThat(OpenApiCoverage.assertDescribesEverything(port, handlers))
                .contains(new OpenApiCoverage.Endpoint("GET", "/api/dead-letters"),
                        new OpenApiCoverage.Endpoint("GET", "/api/subscriptions/{id}"),
                        new OpenApiCoverage.Endpoint("POST", "/internal/aws-agreements"),
                        new OpenApiCoverage.Endpoint("GET", "/internal/aws-agreements"),
                        new OpenApiCoverage.Endpoint("POST", "/internal/free-login-claims"));
    }
}
