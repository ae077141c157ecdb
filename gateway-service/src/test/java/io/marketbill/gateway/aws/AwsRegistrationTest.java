package io.marketbill.gateway.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.LoginTicket;
import io.marketbill.contracts.SubscriptionOpened;
import io.marketbill.contracts.Topics;
import io.marketbill.messaging.codec.EventCodec;
import io.marketbill.protocols.aws.SigV4;
import io.marketbill.testsupport.TestInfrastructure;
import io.marketbill.testsupport.TopicRecords;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * AWS registration against a stand-in for the Metering Service that checks our SigV4 signature the way
 * AWS does (recomputing it from the request it received).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class AwsRegistrationTest {

    static final String SECRET = "test-secret-access-key";
    static final List<String> badSignatures = new CopyOnWriteArrayList<>();
    static HttpServer fakeAws;
    /** The Metering Service of another seller account, on AWS global (us-east-1, its own key). */
    static HttpServer fakeAwsGlobal;
    static final String GLOBAL_SECRET = "global-secret-access-key";
    static final List<String> globalCalls = new CopyOnWriteArrayList<>();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) throws Exception {
        TestInfrastructure.registerKafka(registry);
        fakeAws = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        fakeAws.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, String> signedHeaders = new LinkedHashMap<>();
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            String names = auth.replaceAll(".*SignedHeaders=([^,]+),.*", "$1");
            for (String name : names.split(";")) {
                signedHeaders.put(name, exchange.getRequestHeaders().getFirst(name));
            }
            Instant at = SigV4.AMZ_DATE.parse(exchange.getRequestHeaders().getFirst("x-amz-date"), Instant::from);
            String expected = SigV4.signature(new SigV4.Request("POST", "/", "", signedHeaders, SigV4.sha256Hex(body)),
                    at, "cn-northwest-1", "aws-marketplace", SECRET);
            String request = new String(body, StandardCharsets.UTF_8);
            int status;
            String answer;
            if (!auth.endsWith("Signature=" + expected) || !auth.contains("Credential=AKIDTEST/")
                    || !"AWSMPMeteringService.ResolveCustomer".equals(exchange.getRequestHeaders().getFirst("x-amz-target"))) {
                badSignatures.add(auth);
                status = 403;
                answer = "{\"__type\":\"InvalidSignatureException\",\"message\":\"bad signature\"}";
            } else if (request.contains("expired-token")) {
                status = 400;
                answer = "{\"__type\":\"com.amazonaws.marketplace#ExpiredTokenException\",\"message\":\"expired\"}";
            } else if (request.contains("broken-aws")) {
                status = 500;
                answer = "{\"__type\":\"InternalServiceErrorException\",\"message\":\"oops\"}";
            } else if (request.contains("other-product")) {
                status = 200;
                answer = "{\"CustomerAWSAccountId\":\"111122223333\",\"ProductCode\":\"not-ours\","
                        + "\"LicenseArn\":\"arn:aws-cn:license-manager::111122223333:license:l-000\"}";
            } else {
                String suffix = request.replaceAll(".*good-token-([a-z0-9]+).*", "$1");
                status = 200;
                answer = "{\"CustomerIdentifier\":\"ci-" + suffix + "\",\"CustomerAWSAccountId\":\"123456789012\","
                        + "\"ProductCode\":\"zilliz-aws-cn\","
                        + "\"LicenseArn\":\"arn:aws-cn:license-manager::123456789012:license:l-" + suffix + "\"}";
            }
            byte[] out = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
            exchange.sendResponseHeaders(status, out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        fakeAws.start();
        registry.add("marketbill.aws.region", () -> "cn-northwest-1");
        registry.add("marketbill.aws.access-key-id", () -> "AKIDTEST");
        registry.add("marketbill.aws.secret-access-key", () -> SECRET);
        registry.add("marketbill.aws.metering-endpoint", () -> "http://127.0.0.1:" + fakeAws.getAddress().getPort());
        fakeAwsGlobal = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        fakeAwsGlobal.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            Map<String, String> signedHeaders = new LinkedHashMap<>();
            for (String name : auth.replaceAll(".*SignedHeaders=([^,]+),.*", "$1").split(";")) {
                signedHeaders.put(name, exchange.getRequestHeaders().getFirst(name));
            }
            Instant at = SigV4.AMZ_DATE.parse(exchange.getRequestHeaders().getFirst("x-amz-date"), Instant::from);
            String expected = SigV4.signature(new SigV4.Request("POST", "/", "", signedHeaders, SigV4.sha256Hex(body)),
                    at, "us-east-1", "aws-marketplace", GLOBAL_SECRET);
            String request = new String(body, StandardCharsets.UTF_8);
            globalCalls.add(request);
            int status = 200;
            String answer;
            if (!auth.endsWith("Signature=" + expected) || !auth.contains("Credential=AKIDGLOBAL/")) {
                status = 403;
                answer = "{\"__type\":\"InvalidSignatureException\",\"message\":\"bad signature\"}";
            } else {
                String suffix = request.replaceAll(".*-token-([a-z0-9]+).*", "$1");
                String product = request.contains("cn-listing-token") ? "zilliz-aws-cn" : "zilliz-aws-global";
                answer = "{\"CustomerAWSAccountId\":\"210987654321\",\"ProductCode\":\"" + product + "\","
                        + "\"LicenseArn\":\"arn:aws:license-manager::210987654321:license:l-" + suffix + "\"}";
            }
            byte[] out = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
            exchange.sendResponseHeaders(status, out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        fakeAwsGlobal.start();
        registry.add("marketbill.aws.accounts.global.region", () -> "us-east-1");
        registry.add("marketbill.aws.accounts.global.access-key-id", () -> "AKIDGLOBAL");
        registry.add("marketbill.aws.accounts.global.secret-access-key", () -> GLOBAL_SECRET);
        registry.add("marketbill.aws.accounts.global.metering-endpoint",
                () -> "http://127.0.0.1:" + fakeAwsGlobal.getAddress().getPort());
    }

    @AfterAll
    static void stopFake() {
        fakeAws.stop(0);
        fakeAwsGlobal.stop(0);
    }

    @LocalServerPort int port;
    @Autowired EventCodec codec;
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> register(String token, String offerType) throws Exception {
        return registerAt("/marketplace/aws/register", token, offerType);
    }

    private HttpResponse<String> registerAt(String path, String token, String offerType) throws Exception {
        String form = "x-amzn-marketplace-token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)
                + (offerType == null ? "" : "&x-amzn-marketplace-offer-type=" + offerType);
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<EventEnvelope> events(String key) {
        return TopicRecords.values(Topics.MARKETPLACE_SUBSCRIPTIONS, key, Duration.ofSeconds(5)).stream()
                .map(codec::decode).toList();
    }

    @Test
    void aListingOfAnotherSellerAccountIsResolvedByThatAccountAtItsOwnFulfillmentUrl() throws Exception {
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        HttpResponse<String> r = registerAt("/marketplace/aws/register/global", "global-token-" + suffix, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
        // resolved by the AWS global account (its region and key), not by the default one in China
        assertThat(globalCalls).anyMatch(c -> c.contains("global-token-" + suffix));
        String id = "aws:210987654321:l-" + suffix;
        assertThat(events(id)).singleElement().satisfies(e ->
                assertThat(e.payloadAs(SubscriptionOpened.class).productCode()).isEqualTo("zilliz-aws-global"));
    }

    @Test
    void aRegistrationAtAnAddressThatIsNotTheListingsAccountIsRefused() throws Exception {
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        // the global account resolved a token of the China listing: the products file says China lists it
        HttpResponse<String> wrong = registerAt("/marketplace/aws/register/global", "cn-listing-token-" + suffix, null);
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(events("aws:210987654321:l-" + suffix)).isEmpty();
        HttpResponse<String> unknown = registerAt("/marketplace/aws/register/nowhere", "good-token-" + suffix, null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("registration address");
    }

    @Test
    void aValidTokenOpensTheSubscriptionAndSendsTheBrowserToTheBindingPage() throws Exception {
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        HttpResponse<String> r = register("good-token-" + suffix, "free-trial");
        assertThat(r.statusCode()).isEqualTo(302);
        String location = r.headers().firstValue("Location").orElseThrow();
        String ticket = URLDecoder.decode(location.substring(location.indexOf("ticket=") + 7), StandardCharsets.UTF_8);
        LoginTicket t = LoginTicket.verify(ticket, "test-login-ticket-secret-0123456789".getBytes(StandardCharsets.UTF_8),
                Instant.now()).orElseThrow();
        String id = "aws:123456789012:l-" + suffix;
        assertThat(t.subscriptionId()).isEqualTo(id);
        assertThat(t.marketplaceAccountId()).isEqualTo("123456789012");

        List<EventEnvelope> events = events(id);
        assertThat(events).hasSize(1);
        SubscriptionOpened o = events.get(0).payloadAs(SubscriptionOpened.class);
        assertThat(o.trial()).isTrue();
        assertThat(o.productCode()).isEqualTo("zilliz-aws-cn");
        assertThat(o.licenseArn()).endsWith("l-" + suffix);
        // what an SNS notification names the purchase by: it finds this subscription, and opens none of its own
        assertThat(o.customerIdentifier()).isEqualTo("ci-" + suffix);
        assertThat(events.get(0).marketplace()).isEqualTo("aws");
        assertThat(badSignatures).isEmpty();
    }

    @Test
    void anExpiredOrInvalidTokenGetsAClearPageAndPublishesNothing() throws Exception {
        HttpResponse<String> expired = register("expired-token", null);
        assertThat(expired.statusCode()).isEqualTo(400);
        assertThat(expired.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("text/html"));
        assertThat(expired.body()).contains("Set up your account");

        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/marketplace/aws/register")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("x=1")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(400);

        assertThat(register("other-product", null).statusCode()).isEqualTo(400);
        assertThat(events("aws:111122223333:l-000")).isEmpty();

        assertThat(register("broken-aws", null).statusCode()).isEqualTo(503);
        assertThat(badSignatures).isEmpty();
    }
}
