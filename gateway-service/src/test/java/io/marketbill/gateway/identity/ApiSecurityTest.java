package io.marketbill.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.marketbill.testsupport.OpenApiCoverage;
import io.marketbill.testsupport.TestInfrastructure;
import io.marketbill.testsupport.TestTokens;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;

/**
 * Who may call what through the gateway, with tokens of the test identity provider. A local server plays every
 * service behind the routes and records what reached it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class ApiSecurityTest {

    /** What reached the services behind the gateway: method + path -> Authorization header ("" if none). */
    static final Map<String, String> received = new ConcurrentHashMap<>();
    static HttpServer services;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) throws Exception {
        TestInfrastructure.registerKafka(registry);
        TestTokens.register(registry);
        services = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        services.createContext("/", x -> {
            String auth = x.getRequestHeaders().getFirst("Authorization");
            received.put(x.getRequestMethod() + " " + x.getRequestURI().getRawPath(), auth == null ? "" : auth);
            byte[] b = "{\"served\":true}".getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().set("Content-Type", "application/json");
            x.sendResponseHeaders(200, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        services.start();
        String url = "http://127.0.0.1:" + services.getAddress().getPort();
        for (String service : List.of("SUBSCRIPTION", "BINDING", "BILLING", "NOTIFICATION")) {
            registry.add(service + "_SERVICE_URL", () -> url);
        }
    }

    @AfterAll
    static void stop() {
        services.stop(0);
    }

    @LocalServerPort int port;
    @LocalManagementPort int managementPort;
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> call(String method, String path, String token) throws Exception {
        return call(port, method, path, token);
    }

    private HttpResponse<String> call(int port, String method, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", TestTokens.bearer(token));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        return call("GET", path, token);
    }

    private HttpResponse<String> management(String path, String token) throws Exception {
        return call(managementPort, "GET", path, token);
    }

    private static void assertRefused(HttpResponse<String> r, int status, String error) {
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("json"));
        assertThat(r.body()).contains("\"error\":\"" + error + "\"").contains("\"message\":");
    }

    @Test
    void withoutATokenTheApisAnswer401WithABearerChallengeAndNothingIsForwarded() throws Exception {
        HttpResponse<String> r = get("/api/subscriptions/aliyun%3ANOTOKEN", null);
        assertRefused(r, 401, "unauthorized");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertRefused(get("/api/bindings/NOTOKEN", null), 401, "unauthorized");
        assertThat(received).doesNotContainKeys("GET /api/subscriptions/aliyun%3ANOTOKEN", "GET /api/bindings/NOTOKEN");
    }

    @Test
    void aUserReachesBindingsAndBillingWithTheHeaderUnchangedButNoOperatorApi() throws Exception {
        String alice = TestTokens.user("u-alice");
        assertThat(get("/api/bindings/USER-1", alice).statusCode()).isEqualTo(200);
        assertThat(received).containsEntry("GET /api/bindings/USER-1", TestTokens.bearer(alice));
        assertThat(get("/api/billing/organizations/USER-1/overview", alice).statusCode()).isEqualTo(200);
        assertThat(received).containsEntry("GET /api/billing/organizations/USER-1/overview", TestTokens.bearer(alice));

        for (String operatorOnly : List.of("/api/subscriptions/aliyun%3AUSER-1", "/api/directory/users/USER-1",
                "/api/dead-letters/binding-service/USER-1", "/api/notifications/USER-1", "/api/billing/ledger/USER-1",
                "/api/billing/hours/USER-1")) {
            assertRefused(get(operatorOnly, alice), 403, "forbidden");
        }
        assertThat(received.keySet()).noneMatch(k -> k.contains("USER-1") && !k.contains("/api/bindings/")
                && !k.equals("GET /api/billing/organizations/USER-1/overview"));
    }

    @Test
    void anOperatorReachesEveryApiStatelessly() throws Exception {
        String op = TestTokens.operator("u-olga");
        HttpResponse<String> r = get("/api/subscriptions/aliyun%3AOP-1", op);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().allValues("Set-Cookie")).as("no session").isEmpty();
        assertThat(received).containsEntry("GET /api/subscriptions/aliyun%3AOP-1", TestTokens.bearer(op));
        assertThat(get("/api/directory/users/OP-1", op).statusCode()).isEqualTo(200);
        assertThat(received).containsKey("GET /api/directory/users/OP-1");
        assertThat(get("/api/bindings/OP-1", op).statusCode()).isEqualTo(200);
        // a POST without any CSRF token: bearer tokens are not sent by browsers on their own
        assertThat(call("POST", "/api/dead-letters/subscription-service/OP-1/replay", op).statusCode()).isEqualTo(200);
        assertThat(received).containsEntry("POST /api/dead-letters/OP-1/replay", TestTokens.bearer(op));
    }

    @Test
    void expiredForeignAndWronglySignedTokensAre401() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        PrivateKey stranger = generator.generateKeyPair().getPrivate();
        Instant now = Instant.now();
        Map<String, String> tokens = Map.of(
                "expired", TestTokens.token(TestTokens.ISSUER, "u-olga", List.of("operator"),
                        now.minus(Duration.ofHours(2)), Duration.ofHours(1), TestTokens.testKey()),
                "foreign issuer", TestTokens.token("https://identity.example.org", "u-olga", List.of("operator"), now,
                        Duration.ofMinutes(10), TestTokens.testKey()),
                "wrongly signed", TestTokens.token(TestTokens.ISSUER, "u-olga", List.of("operator"), now,
                        Duration.ofMinutes(10), stranger),
                "not a JWT", "not.a.jwt",
                "for another audience", TestTokens.token(TestTokens.ISSUER, "another-api", "u-olga",
                        List.of("operator"), now, Duration.ofMinutes(10), TestTokens.testKey()),
                "without expiry", TestTokens.token(TestTokens.ISSUER, TestTokens.AUDIENCE, "u-olga",
                        List.of("operator"), now, null, TestTokens.testKey()));
        tokens.forEach((what, token) -> {
            try {
                HttpResponse<String> r = get("/api/subscriptions/aliyun%3ABAD-1", token);
                assertThat(r.statusCode()).as(what).isEqualTo(401);
                assertThat(r.body()).as(what).contains("\"error\":\"unauthorized\"")
                        // a fixed message: nothing of the decoder's (security review, finding 15)
                        .doesNotContain("Invalid").doesNotContain("Jwt").doesNotContain("JSON");
                assertThat(r.headers().firstValue("WWW-Authenticate")).as(what)
                        .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer").contains("invalid_token"));
            } catch (Exception e) {
                throw new AssertionError(what, e);
            }
        });
        assertThat(received).doesNotContainKey("GET /api/subscriptions/aliyun%3ABAD-1");
    }

    @Test
    void marketplaceCallbacksTheBindingPageAndProbesNeedNoTokenAndPassNoSecurityChain() throws Exception {
        HttpResponse<String> ping = get("/marketplace/ping", null);
        assertThat(ping.statusCode()).isEqualTo(200);
        assertThat(ping.body()).isEqualTo("ok");
        assertThat(ping.headers().map()).as("no security headers: no chain ran")
                .doesNotContainKeys("X-Frame-Options", "x-frame-options", "Cache-Control", "cache-control");
        // Spring Security's firewall refuses a ';' in the path (400): callbacks do not even enter its filter
        assertThat(get("/marketplace/ping;v=1", null).body()).isEqualTo("ok");
        assertThat(get("/api/subscriptions;v=1", TestTokens.operator("u-olga")).statusCode()).isEqualTo(400);
        assertThat(get("/livez", null).statusCode()).isEqualTo(200);
        assertThat(get("/readyz", null).statusCode()).isEqualTo(200);
        assertThat(get("/binding?ticket=PUBLIC-1", null).statusCode()).isEqualTo(200);
        assertThat(received).containsEntry("GET /binding", "");
        // the ops console: binding-service signs operators in itself
        assertThat(get("/ops/metering", null).statusCode()).isEqualTo(200);
        assertThat(received).containsEntry("GET /ops/metering", "");
    }

    @Test
    void metricsAndHealthDetailsAreServedOnTheManagementPortOnlyAndTheSameRulesGuardIt() throws Exception {
        assertThat(managementPort).isNotEqualTo(port);
        // the public port: the probes only, nothing of actuator (an ingress in front of it exposes no metrics)
        for (String actuator : List.of("/actuator/prometheus", "/actuator/health", "/actuator/info")) {
            assertThat(get(actuator, null).statusCode()).as(actuator + " on the public port").isEqualTo(404);
        }
        assertThat(management("/actuator/health/liveness", null).statusCode()).isEqualTo(200);
        assertThat(management("/actuator/prometheus", null).statusCode()).isEqualTo(200);
        assertThat(management("/actuator/prometheus", null).body()).contains("jvm_memory_used_bytes");
        HttpResponse<String> health = management("/actuator/health", null);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).as("components to anyone, details to operators").contains("\"kafka\"")
                .doesNotContain("clusterId");
        assertThat(management("/actuator/health", TestTokens.operator("u-olga")).body()).contains("clusterId");
        assertRefused(management("/actuator/metrics", null), 403, "forbidden");
    }

    @Test
    void usageIsPostedWithAProducersApiKeyNeverWithAJwt() throws Exception {
        String event = "{\"specversion\":\"1.0\",\"type\":\"io.marketbill.usage.recorded.v1\","
                + "\"source\":\"//local.example/a\",\"id\":\"sec-" + UUID.randomUUID() + "\","
                + "\"time\":\"2026-11-23T08:15:00Z\",\"data\":{\"organizationId\":\"org-sec\","
                + "\"dimension\":\"cu_hours\",\"quantity\":1}}";
        HttpRequest.Builder post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/usage"))
                .header("Content-Type", "application/cloudevents+json")
                .POST(HttpRequest.BodyPublishers.ofString(event));
        HttpResponse<String> withJwt = http.send(post.copy().header("Authorization",
                TestTokens.bearer(TestTokens.operator("u-olga"))).build(), HttpResponse.BodyHandlers.ofString());
        assertRefused(withJwt, 401, "unauthorized");
        // the local development producer of application.yml (active in every profile but prod)
        HttpResponse<String> withKey = http.send(post.copy().header("X-Api-Key", "local-usage-key").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(withKey.statusCode()).isEqualTo(202);
        assertThat(received.keySet()).noneMatch(k -> k.contains("/api/usage"));
    }

    @Test
    void theOpenApiDocumentsAreForOperatorsAndTheGatewaysOwnDescribesEveryEndpointItServes() throws Exception {
        String op = TestTokens.operator("u-olga");
        assertRefused(get("/api/docs/gateway-service", null), 401, "unauthorized");
        assertRefused(get("/api/docs/binding-service", TestTokens.user("u-alice")), 403, "forbidden");
        for (String service : List.of("subscription-service", "binding-service", "billing-service",
                "notification-service")) {
            assertThat(get("/api/docs/" + service, op).statusCode()).as(service).isEqualTo(200);
        }
        // each service's own document, at the path springdoc serves it on, with the operator's token
        assertThat(received).containsEntry("GET /v3/api-docs", TestTokens.bearer(op));

        HttpResponse<String> own = get("/api/docs/gateway-service", op);
        assertThat(own.statusCode()).isEqualTo(200);
        Set<OpenApiCoverage.Endpoint> served = new TreeSet<>();
        handlers.getHandlerMethods().forEach((info, handler) -> {
            if (handler.getBeanType().getPackageName().startsWith("io.marketbill.")) {
                Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
                info.getPatternsCondition().getPatterns().forEach(pattern -> {
                    for (RequestMethod m : methods.isEmpty() ? Set.of(RequestMethod.GET) : methods) {
                        served.add(new OpenApiCoverage.Endpoint(m.name(), pattern.getPatternString()));
                    }
                });
            }
        });
        assertThat(served).as("the gateway's own endpoints").hasSizeGreaterThan(5);
        assertThat(OpenApiCoverage.differences(own.body(), served)).isEmpty();
    }

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping handlers;

    @Test
    void everythingElseIsRefusedWhateverTheToken() throws Exception {
        String op = TestTokens.operator("u-olga");
        assertRefused(management("/actuator/metrics", null), 403, "forbidden");
        assertRefused(management("/actuator/metrics", op), 403, "forbidden");
        assertRefused(get("/somewhere/else", op), 403, "forbidden");
    }
}
