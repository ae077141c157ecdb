package io.marketbill.gateway.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.SubscriptionClosed;
import io.marketbill.contracts.Topics;
import io.marketbill.messaging.codec.EventCodec;
import io.marketbill.protocols.aws.CertificateAuthority;
import io.marketbill.protocols.aws.SnsSignature;
import io.marketbill.testsupport.TestInfrastructure;
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
import java.util.concurrent.atomic.AtomicInteger;
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
 * a test CA the gateway is configured to trust), the SubscribeURL, and subscription-service's lookup.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class AwsNotificationsTest {

    static final String TOPIC = "arn:aws-cn:sns:cn-northwest-1:123456789012:aws-mp-subscription-notification-zilliz";
    static final CertificateAuthority CA = CertificateAuthority.create("simulator CA");
    static final CertificateAuthority.Issued SIGNER = CA.issue("sns.simulator");
    static final CertificateAuthority.Issued STRANGER = CertificateAuthority.create("someone else").issue("sns.fake");
    static final AtomicInteger confirmations = new AtomicInteger();
    static HttpServer side;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) throws Exception {
        TestInfrastructure.registerKafka(registry);
        side = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        side.createContext("/signer.pem", x -> send(x, 200, CertificateAuthority.pem(SIGNER.certificate())));
        side.createContext("/stranger.pem", x -> send(x, 200, CertificateAuthority.pem(STRANGER.certificate())));
        side.createContext("/confirm", x -> {
            confirmations.incrementAndGet();
            send(x, 200, "<ConfirmSubscriptionResponse/>");
        });
        side.createContext("/api/subscriptions", x -> {
            String q = x.getRequestURI().getQuery();
            send(x, 200, q.contains("customerIdentifier=KNOWN") || q.contains("marketplaceAccountId=444455556666")
                    ? "[{\"id\":\"aws:444455556666:l-known\"}]" : "[]");
        });
        side.start();
        Path ca = Files.createTempFile("ca", ".pem");
        Files.writeString(ca, CertificateAuthority.pem(CA.certificate()));
        registry.add("marketbill.aws.sns.topic-arns", () -> TOPIC);
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
    void eventBridgeNeedsItsKeyAndMapsLicenseAndAgreementEvents() throws Exception {
        Map<String, Object> deprovisioned = Map.of("id", UUID.randomUUID().toString(), "source", "aws.agreement-marketplace",
                "detail-type", "License Deprovisioned - Manufacturer", "detail", Map.of(
                        "license", Map.of("arn", "arn:aws:license-manager::123456789012:license:l-ebtest"),
                        "acceptor", Map.of("accountId", "123456789012"), "product", Map.of("code", "zilliz-aws-cn")));
        assertThat(post("/marketplace/aws/events", deprovisioned, Map.of()).statusCode()).isEqualTo(401);
        assertThat(post("/marketplace/aws/events", deprovisioned, Map.of("x-marketbill-eventbridge-key", "wrong"))
                .statusCode()).isEqualTo(401);
        assertThat(post("/marketplace/aws/events", deprovisioned, Map.of("x-marketbill-eventbridge-key", "eb-secret-123"))
                .statusCode()).isEqualTo(200);
        assertThat(events("aws:123456789012:l-ebtest")).singleElement()
                .satisfies(e -> assertThat(e.payloadAs(SubscriptionClosed.class).reason()).isEqualTo("LICENSE_DEPROVISIONED"));

        Map<String, Object> ended = Map.of("id", UUID.randomUUID().toString(), "source", "aws.agreement-marketplace",
                "detail-type", "Purchase Agreement Ended - Proposer", "detail", Map.of(
                        "acceptor", Map.of("accountId", "444455556666"), "product", Map.of("code", "zilliz-aws-cn"),
                        "agreement", Map.of("id", "agmt-1", "status", "EXPIRED")));
        assertThat(post("/marketplace/aws/events", ended, Map.of("x-marketbill-eventbridge-key", "eb-secret-123"))
                .statusCode()).isEqualTo(200);
        assertThat(events("aws:444455556666:l-known")).anySatisfy(e ->
                assertThat(e.payload()).isEqualTo(new SubscriptionClosed(false, null, "AGREEMENT_ENDED")));
    }
}
