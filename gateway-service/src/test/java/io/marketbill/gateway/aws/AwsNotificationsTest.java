package io.marketbill.gateway.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.SubscriptionChanged;
import io.marketbill.contracts.SubscriptionClosed;
import io.marketbill.contracts.Topics;
import io.marketbill.messaging.codec.EventCodec;
import io.marketbill.protocols.aws.CertificateAuthority;
import io.marketbill.protocols.aws.SnsSignature;
import io.marketbill.testsupport.TestInfrastructure;
import io.marketbill.testsupport.TestTokens;
import io.marketbill.testsupport.TopicRecords;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * SNS and EventBridge at the gateway. A local server plays the certificate host (its certificates issued by
 * a test CA the gateway is configured to trust), the SubscribeURL, and subscription-service (its lookups, which
 * subscriptions are registered, and the AWS agreements it records).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class AwsNotificationsTest {

    static final String TOPIC = "arn:aws-cn:sns:cn-northwest-1:123456789012:aws-mp-subscription-notification-zilliz";
    static final CertificateAuthority CA = CertificateAuthority.create("simulator CA");
    static final CertificateAuthority.Issued SIGNER = CA.issue("sns.simulator");
    static final CertificateAuthority.Issued STRANGER = CertificateAuthority.create("someone else").issue("sns.fake");
    static final AtomicInteger confirmations = new AtomicInteger();
    /** Subscriptions "registered" at the stand-in subscription-service, and the agreements recorded there. */
    static final Set<String> registered = ConcurrentHashMap.newKeySet();
    static final Map<String, String> agreements = new ConcurrentHashMap<>();
    /** How long the stand-in subscription-service takes to answer about agreements. */
    static final AtomicLong agreementDelayMillis = new AtomicLong();
    static HttpServer side;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) throws Exception {
        TestInfrastructure.registerKafka(registry);
        // the gateway calls subscription-service with its own token, from the test identity provider
        TestTokens.registerClient(registry);
        side = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        side.createContext("/signer.pem", x -> send(x, 200, CertificateAuthority.pem(SIGNER.certificate())));
        side.createContext("/stranger.pem", x -> send(x, 200, CertificateAuthority.pem(STRANGER.certificate())));
        side.createContext("/confirm", x -> {
            confirmations.incrementAndGet();
            send(x, 200, "<ConfirmSubscriptionResponse/>");
        });
        side.createContext("/api/subscriptions", x -> {
            String path = x.getRequestURI().getPath();
            if (!path.equals("/api/subscriptions")) {
                String id = java.net.URLDecoder.decode(path.substring("/api/subscriptions/".length()),
                        StandardCharsets.UTF_8);
                send(x, registered.contains(id) ? 200 : 404, "{\"id\":\"" + id + "\"}");
                return;
            }
            String q = x.getRequestURI().getQuery();
            send(x, 200, q.contains("customerIdentifier=KNOWN") || q.contains("marketplaceAccountId=444455556666")
                    ? "[{\"id\":\"aws:444455556666:l-known\"}]"
                    : q.contains("customerIdentifier=" + SnsExamples.CUSTOMER + "&") || q.endsWith("customerIdentifier="
                    + SnsExamples.CUSTOMER) ? "[{\"id\":\"aws:123456789012:l-snsexample\"}]" : "[]");
        });
        side.createContext("/internal/aws-agreements", x -> {
            try {
                Thread.sleep(agreementDelayMillis.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String agreement;
            if (x.getRequestMethod().equals("POST")) {
                var body = JsonMapper.builder().build().readTree(x.getRequestBody().readAllBytes());
                agreement = body.get("agreementId").asString();
                agreements.put(agreement, body.get("subscriptionId").asString());
            } else {
                agreement = java.net.URLDecoder.decode(x.getRequestURI().getRawQuery().replace("agreementId=", ""),
                        StandardCharsets.UTF_8);
            }
            String subscription = agreements.get(agreement);
            if (subscription == null) {
                send(x, 404, "{\"error\":\"not_found\"}");
                return;
            }
            send(x, 200, "{\"agreementId\":\"" + agreement + "\",\"subscriptionId\":\"" + subscription
                    + "\",\"licenseArn\":\"arn:x\",\"subscriptionState\":"
                    + (registered.contains(subscription) ? "\"ACTIVE\"" : "null") + "}");
        });
        side.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        side.start();
        Path ca = Files.createTempFile("ca", ".pem");
        Files.writeString(ca, CertificateAuthority.pem(CA.certificate()));
        registry.add("marketbill.aws.sns.topic-arns", () -> TOPIC + "," + SnsExamples.TOPIC);
        registry.add("marketbill.aws.sns.test-ca-pem", ca::toString);
        registry.add("marketbill.aws.sns.test-cert-hosts", () -> "127.0.0.1:" + side.getAddress().getPort());
        registry.add("marketbill.aws.eventbridge.secret", () -> "eb-secret-123");
        registry.add("marketbill.subscription-service-url", () -> base());
    }

    static String base() {
        return "http://127.0.0.1:" + side.getAddress().getPort();
    }

    static void send(com.sun.net.httpserver.HttpExchange x, int status, String body) throws java.io.IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
        x.close();
    }

    @AfterAll
    static void stop() {
        side.stop(0);
    }

    @LocalServerPort int port;
    @Autowired EventCodec codec;
    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    private Map<String, String> signed(Map<String, String> m, CertificateAuthority.Issued by, String certPath) {
        m.put("SigningCertURL", base() + certPath);
        m.put("Signature", SnsSignature.sign(m, by.privateKey()));
        return m;
    }

    static Map<String, String> notification(String messageId, String message) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Type", "Notification");
        m.put("MessageId", messageId);
        m.put("TopicArn", TOPIC);
        m.put("Message", message);
        m.put("Timestamp", "2026-11-22T08:00:00.000Z");
        m.put("SignatureVersion", "2");
        return m;
    }

    private HttpResponse<String> post(String path, Object body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "text/plain; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postJson(String path, String json, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> eventBridge(String event) throws Exception {
        return postJson("/marketplace/aws/events", event, Map.of("x-marketbill-eventbridge-key", "eb-secret-123"));
    }

    private List<EventEnvelope> events(String key) {
        return TopicRecords.values(Topics.MARKETPLACE_SUBSCRIPTIONS, key, Duration.ofSeconds(5)).stream()
                .map(codec::decode).toList();
    }

    @Test
    void aSubscriptionConfirmationIsConfirmedOnlyForAConfiguredTopic() throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Type", "SubscriptionConfirmation");
        m.put("MessageId", UUID.randomUUID().toString());
        m.put("Token", "tok");
        m.put("TopicArn", TOPIC);
        m.put("Message", "You have chosen to subscribe");
        m.put("SubscribeURL", base() + "/confirm?Token=tok");
        m.put("Timestamp", "2026-11-22T08:00:00.000Z");
        m.put("SignatureVersion", "1");
        int before = confirmations.get();
        assertThat(post("/marketplace/aws/sns", signed(m, SIGNER, "/signer.pem"), Map.of()).statusCode()).isEqualTo(200);
        assertThat(confirmations.get()).isEqualTo(before + 1);

        Map<String, String> other = new LinkedHashMap<>(m);
        other.put("TopicArn", "arn:aws:sns:us-east-1:999999999999:someone-elses-topic");
        HttpResponse<String> r = post("/marketplace/aws/sns", signed(other, SIGNER, "/signer.pem"), Map.of());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("unknown_topic");
        assertThat(confirmations.get()).isEqualTo(before + 1);
    }

    @Test
    void aSignedNotificationBecomesOneEventAndARepeatedMessageIdTheSameEvent() throws Exception {
        String messageId = UUID.randomUUID().toString();
        Map<String, String> m = signed(notification(messageId,
                "{\"action\":\"unsubscribe-success\",\"customer-identifier\":\"KNOWN\",\"product-code\":\"zilliz-aws-cn\"}"),
                SIGNER, "/signer.pem");
        assertThat(post("/marketplace/aws/sns", m, Map.of()).statusCode()).isEqualTo(200);
        assertThat(post("/marketplace/aws/sns", m, Map.of()).statusCode()).isEqualTo(200);
        List<EventEnvelope> got = events("aws:444455556666:l-known").stream()
                .filter(e -> e.payload() instanceof SubscriptionClosed c && c.reason().equals("UNSUBSCRIBED")).toList();
        assertThat(got).hasSize(2);
        assertThat(got.get(0).eventId()).isEqualTo(got.get(1).eventId());
    }

    @Test
    void badSignaturesUntrustedCertificatesAndForeignCertificateHostsAreRefused() throws Exception {
        String message = "{\"action\":\"subscribe-success\",\"customer-identifier\":\"EVIL\",\"product-code\":\"zilliz-aws-cn\"}";
        Map<String, String> tampered = signed(notification(UUID.randomUUID().toString(), message), SIGNER, "/signer.pem");
        tampered.put("Message", message.replace("subscribe-success", "unsubscribe-success"));
        HttpResponse<String> r = post("/marketplace/aws/sns", tampered, Map.of());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("invalid_signature");

        Map<String, String> stranger = signed(notification(UUID.randomUUID().toString(), message), STRANGER,
                "/stranger.pem");
        assertThat(post("/marketplace/aws/sns", stranger, Map.of()).body()).contains("invalid_certificate");

        Map<String, String> foreign = notification(UUID.randomUUID().toString(), message);
        foreign.put("SigningCertURL", "https://sns.us-east-1.amazonaws.com.evil.example/cert.pem");
        foreign.put("Signature", SnsSignature.sign(foreign, SIGNER.privateKey()));
        HttpResponse<String> f = post("/marketplace/aws/sns", foreign, Map.of());
        assertThat(f.statusCode()).isEqualTo(403);
        assertThat(f.body()).contains("certificate_host");

        assertThat(events("aws:EVIL")).isEmpty();
    }

    @Test
    void theDocumentedSubscriptionNotificationsBecomeTheirEvents() throws Exception {
        String id = "aws:123456789012:l-snsexample";
        List.of("subscribe-success", "unsubscribe-pending", "unsubscribe-success").forEach(action -> {
            Map<String, String> m = signed(SnsExamples.envelope(UUID.randomUUID().toString(),
                    SnsExamples.subscriptionMessage(action)), SIGNER, "/signer.pem");
            try {
                HttpResponse<String> r = post("/marketplace/aws/sns", m, Map.of());
                assertThat(r.statusCode()).as(action + ": " + r.body()).isEqualTo(200);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        List<EventEnvelope> got = events(id);
        assertThat(got).extracting(e -> e.payload().getClass().getSimpleName())
                .containsExactly("SubscriptionChanged", "SubscriptionChanged", "SubscriptionClosed");
        assertThat(got.get(1).payloadAs(SubscriptionChanged.class).change()).isEqualTo("UNSUBSCRIBE_PENDING");
        assertThat(got.get(2).payloadAs(SubscriptionClosed.class).reason()).isEqualTo("UNSUBSCRIBED");
    }

    @Test
    void aSubscribeSuccessBeforeTheRegistrationOpensNoSecondSubscription() throws Exception {
        Map<String, String> m = signed(notification(UUID.randomUUID().toString(),
                "{\"action\":\"subscribe-success\",\"customer-identifier\":\"NEWCOMER\",\"product-code\":\"zilliz-aws-cn\"}"),
                SIGNER, "/signer.pem");
        HttpResponse<String> r = post("/marketplace/aws/sns", m, Map.of());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("not_registered");
        assertThat(events("aws:NEWCOMER")).as("the registration opens the subscription, not SNS").isEmpty();
    }

    @Test
    void eventBridgeNeedsItsKey() throws Exception {
        String event = EventBridgeExamples.LICENSE_DEPROVISIONED;
        assertThat(postJson("/marketplace/aws/events", event, Map.of()).statusCode()).isEqualTo(401);
        assertThat(postJson("/marketplace/aws/events", event, Map.of("x-marketbill-eventbridge-key", "wrong"))
                .statusCode()).isEqualTo(401);
    }

    /**
     * One purchase as the Seller Guide's examples tell it: License events record the agreement's license before the
     * buyer registers and publish nothing until then; "Purchase Agreement Ended" is found by its agreement and closes
     * the subscription only when the agreement really ended.
     */
    @Test
    void theDocumentedEventsOfOnePurchaseAreMatchedByAgreementAndActOnlyOnARegisteredSubscription() throws Exception {
        String sub = EventBridgeExamples.SUBSCRIPTION;
        HttpResponse<String> early = eventBridge(EventBridgeExamples.AGREEMENT_ENDED_PROPOSER);
        assertThat(early.statusCode()).isEqualTo(200);
        assertThat(early.body()).contains("unknown_agreement");

        HttpResponse<String> updated = eventBridge(EventBridgeExamples.LICENSE_UPDATED);
        assertThat(updated.statusCode()).isEqualTo(200);
        assertThat(updated.body()).contains("not_registered");
        assertThat(agreements).containsEntry(EventBridgeExamples.AGREEMENT, sub);
        HttpResponse<String> deprovisioned = eventBridge(EventBridgeExamples.LICENSE_DEPROVISIONED);
        assertThat(deprovisioned.statusCode()).isEqualTo(200);
        assertThat(deprovisioned.body()).contains("not_registered");

        registered.add(sub); // the buyer registers
        assertThat(eventBridge(EventBridgeExamples.LICENSE_UPDATED).body()).contains("accepted");
        for (String goesOn : List.of("RENEWED", "REPLACED")) {
            HttpResponse<String> r = eventBridge(EventBridgeExamples.endedWithStatus(goesOn));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("ignored");
        }
        HttpResponse<String> ended = eventBridge(EventBridgeExamples.AGREEMENT_ENDED_MANUFACTURER);
        assertThat(ended.statusCode()).isEqualTo(200);
        assertThat(ended.body()).contains("accepted");

        assertThat(events(sub)).extracting(EventEnvelope::payload).containsExactly(
                new SubscriptionChanged("ENTITLEMENT_UPDATED", null, null, null, Map.of()),
                new SubscriptionClosed(false, null, "AGREEMENT_ENDED"));
    }

    @Test
    void aMalformedLicenseArnIsRefusedWith400SoEventBridgeDoesNotRetryIt() throws Exception {
        HttpResponse<String> r = eventBridge(EventBridgeExamples.LICENSE_UPDATED.replace(
                "aws:license-manager:us-east-1:123456789012:l-e52ca6f38bf84d0fafb8802ca15ac11x",
                "aws:license-manager:us-east-1:123456789012:not-a-license"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("invalid_license_arn");
    }

    @Test
    void theEventBridgeEndpointAnswersWithinTheApiDestinationsFiveSeconds() throws Exception {
        agreementDelayMillis.set(6000);
        try {
            long start = System.nanoTime();
            HttpResponse<String> r = eventBridge(EventBridgeExamples.LICENSE_UPDATED.replace(
                    EventBridgeExamples.AGREEMENT, "agmt-slow"));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("timeout");
            assertThat(took).isLessThan(Duration.ofMillis(4900));
        } finally {
            agreementDelayMillis.set(0);
        }
    }
}
