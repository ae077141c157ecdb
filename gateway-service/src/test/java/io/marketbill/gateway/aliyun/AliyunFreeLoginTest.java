package io.marketbill.gateway.aliyun;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.contracts.LoginTicket;
import io.marketbill.testsupport.TestInfrastructure;
import io.marketbill.testsupport.TestTokens;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import com.sun.net.httpserver.HttpServer;
import io.marketbill.gateway.GatewayServiceApplication;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Free login at the gateway. A local server plays subscription-service's free-login claims (one table every replica
 * shares: a claim succeeds once per key until it expires); a second gateway context is a second replica.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class AliyunFreeLoginTest {

    static final Map<String, Instant> claims = new ConcurrentHashMap<>();
    static HttpServer subscriptionService;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) throws Exception {
        TestInfrastructure.registerKafka(registry);
        // the gateway calls subscription-service with its own token, from the test identity provider
        TestTokens.registerClient(registry);
        subscriptionService = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        subscriptionService.createContext("/internal/free-login-claims", x -> {
            // as subscription-service does: only with a token (the real one checks it; see its tests)
            String authorization = x.getRequestHeaders().getFirst("Authorization");
            if (authorization == null || !authorization.startsWith("Bearer ey")) {
                x.sendResponseHeaders(401, -1);
                x.close();
                return;
            }
            JsonNode claim = JsonMapper.builder().build().readTree(x.getRequestBody().readAllBytes());
            boolean first = claims.putIfAbsent(claim.get("tokenSha256").asString(),
                    Instant.parse(claim.get("expiresAt").asString())) == null;
            byte[] b = (first ? "{\"claimed\":true}" : "{\"error\":\"already_claimed\"}").getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(first ? 201 : 409, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        subscriptionService.start();
        registry.add("marketbill.subscription-service-url", AliyunFreeLoginTest::subscriptionServiceUrl);
    }

    static String subscriptionServiceUrl() {
        return "http://127.0.0.1:" + subscriptionService.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        subscriptionService.stop(0);
    }

    @LocalServerPort int port;
    private final HttpClient http = HttpClient.newHttpClient(); // does not follow redirects

    private static String shanghai(Instant at) {
        return LocalDateTime.ofInstant(at, ZoneId.of("Asia/Shanghai")).format(AliyunSpiController.DATE_TIME);
    }

    private HttpResponse<String> sso(String instanceId, String timeStamp, String key) throws Exception {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("action", "verify");
        p.put("instanceId", instanceId);
        p.put("timeStamp", timeStamp);
        return sso(AliyunSpiTest.signed(p, key));
    }

    private HttpResponse<String> sso(Map<String, String> p) throws Exception {
        return sso(port, p);
    }

    private HttpResponse<String> sso(int gatewayPort, Map<String, String> p) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/marketplace/aliyun/sso?"
                + AliyunSpiTest.query(p))).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aLinkIsUsedOnceAcrossReplicasWhateverTheCaseOfItsTokensHexLetters() throws Exception {
        Map<String, String> link;
        do { // a token with hex letters, whose case can be changed (nearly every MD5)
            Map<String, String> p = new LinkedHashMap<>();
            p.put("action", "verify");
            p.put("instanceId", "SSO" + UUID.randomUUID().toString().substring(0, 8));
            p.put("timeStamp", shanghai(Instant.now()));
            link = AliyunSpiTest.signed(p, AliyunSpiTest.KEY);
        } while (link.get("token").chars().noneMatch(Character::isLetter));
        Map<String, String> upperCased = new LinkedHashMap<>(link);
        upperCased.put("token", link.get("token").toUpperCase(Locale.ROOT));

        try (ConfigurableApplicationContext other = new SpringApplicationBuilder(GatewayServiceApplication.class)
                .profiles("test").run("--server.port=0", "--management.server.port=0", "--spring.kafka.bootstrap-servers="
                        + TestInfrastructure.kafkaBrokers(), "--marketbill.subscription-service-url="
                        + subscriptionServiceUrl(), "--marketbill.security.client.token-uri=" + TestTokens.tokenUri(),
                        "--marketbill.security.client.client-id=" + TestTokens.CLIENT_ID,
                        "--marketbill.security.client.client-secret=" + TestTokens.CLIENT_SECRET)) {
            int otherPort = Integer.parseInt(other.getEnvironment().getProperty("local.server.port"));
            assertThat(sso(upperCased).statusCode()).as("the link itself, case changed").isEqualTo(302);
            assertThat(sso(otherPort, link).statusCode()).as("used on the other replica").isEqualTo(403);
            assertThat(sso(link).statusCode()).as("used on this replica").isEqualTo(403);
            assertThat(sso(otherPort, upperCased).statusCode()).isEqualTo(403);
        }
    }

    @Test
    void aFreshSignedLinkRedirectsToTheBindingPageWithATicketForThatSubscription() throws Exception {
        String id = "SSO" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> r = sso(id, shanghai(Instant.now()), AliyunSpiTest.KEY);
        assertThat(r.statusCode()).isEqualTo(302);
        String location = r.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith("http://127.0.0.1:8080/binding?ticket=");
        String ticket = URLDecoder.decode(location.substring(location.indexOf("ticket=") + 7), StandardCharsets.UTF_8);
        LoginTicket t = LoginTicket.verify(ticket, "test-login-ticket-secret-0123456789".getBytes(StandardCharsets.UTF_8),
                Instant.now()).orElseThrow();
        assertThat(t.subscriptionId()).isEqualTo("aliyun:" + id);
        assertThat(t.expiresAt()).isBefore(Instant.now().plusSeconds(301));
    }

    @Test
    void aStaleLinkABadTokenOrAReplayGetsAnHtmlPageWith403() throws Exception {
        String id = "SSO" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> stale = sso(id, shanghai(Instant.now().minusSeconds(6 * 60)), AliyunSpiTest.KEY);
        assertThat(stale.statusCode()).isEqualTo(403);
        assertThat(stale.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("text/html"));
        assertThat(stale.body()).contains("<html").contains("免登");
        // a browser page: not framed, not sniffed, no Referer (the link's token is in the URL), nothing loaded
        assertThat(stale.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(stale.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(stale.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(stale.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp)
                .contains("default-src 'none'").contains("frame-ancestors 'none'"));

        HttpResponse<String> future = sso(id, shanghai(Instant.now().plusSeconds(6 * 60)), AliyunSpiTest.KEY);
        assertThat(future.statusCode()).isEqualTo(403);

        assertThat(sso(id, shanghai(Instant.now()), "wrong-key").statusCode()).isEqualTo(403);

        Map<String, String> p = new LinkedHashMap<>();
        p.put("action", "verify");
        p.put("instanceId", id);
        p.put("timeStamp", shanghai(Instant.now()));
        Map<String, String> signed = AliyunSpiTest.signed(p, AliyunSpiTest.KEY);
        assertThat(sso(signed).statusCode()).isEqualTo(302);
        assertThat(sso(signed).statusCode()).as("the same link a second time").isEqualTo(403);

        Map<String, String> missing = new LinkedHashMap<>(p);
        missing.remove("timeStamp");
        assertThat(sso(AliyunSpiTest.signed(missing, AliyunSpiTest.KEY)).statusCode()).isEqualTo(403);
    }
}
