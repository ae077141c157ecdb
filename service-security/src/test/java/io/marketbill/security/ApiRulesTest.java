package io.marketbill.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.testsupport.Http;
import io.marketbill.testsupport.TestTokens;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The rules every servlet service applies, on a service of their own with each kind of path: a real server, real
 * tokens of the test identity provider (a JWKS over HTTP), no mocks.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, classes = ApiRulesTest.App.class)
class ApiRulesTest {

    @SpringBootApplication
    @RestController
    static class App {

        @Bean
        ApiAccess apiAccess() {
            return new ApiAccess(List.of("/public/**"), List.of("/api/mine/**"), List.of("/internal/**"));
        }

        @GetMapping({"/api/operators", "/api/mine/things", "/internal/lookup", "/public/page", "/elsewhere"})
        String answer() {
            return "{\"ok\":true}";
        }
    }

    @DynamicPropertySource
    static void identity(DynamicPropertyRegistry registry) {
        TestTokens.register(registry);
    }

    @LocalServerPort
    int port;

    private HttpResponse<String> get(String path, String token) {
        return token == null ? Http.get(port, path)
                : Http.request(port, "GET", path, null, "Authorization", TestTokens.bearer(token));
    }

    @Test
    void withoutATokenEveryApiAnswers401AndSaysWhyInJson() {
        for (String path : List.of("/api/operators", "/api/mine/things", "/internal/lookup")) {
            HttpResponse<String> r = get(path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
            assertThat(r.body()).contains("\"error\":\"unauthorized\"");
        }
    }

    @Test
    void anOperatorMayCallEveryApiAUserOnlyTheirOwnAndAServiceOnlyWhatIsForServices() {
        String operator = TestTokens.operator("u-op");
        String user = TestTokens.user("u-alice");
        String service = TestTokens.token("gateway-service", List.of("service"), Duration.ofMinutes(5));

        assertThat(get("/api/operators", operator).statusCode()).isEqualTo(200);
        assertThat(get("/api/mine/things", operator).statusCode()).isEqualTo(200);
        assertThat(get("/internal/lookup", operator).statusCode()).isEqualTo(200);

        HttpResponse<String> userOnOperatorApi = get("/api/operators", user);
        assertThat(userOnOperatorApi.statusCode()).isEqualTo(403);
        assertThat(userOnOperatorApi.body()).contains("\"error\":\"forbidden\"");
        assertThat(get("/api/mine/things", user).statusCode()).isEqualTo(200);
        assertThat(get("/internal/lookup", user).statusCode()).isEqualTo(403);

        assertThat(get("/internal/lookup", service).statusCode()).isEqualTo(200);
        assertThat(get("/api/operators", service).statusCode()).as("a service is no operator").isEqualTo(403);
    }

    /** RFC 9068's typed access tokens (the development login's, the test provider's client credentials) are taken. */
    @Test
    void anRfc9068AccessTokenIsTaken() {
        String typed = TestTokens.accessToken("u-op", List.of("operator"), "the-console", null);
        assertThat(get("/api/operators", typed).statusCode()).isEqualTo(200);
    }

    @Test
    void aTokenForAnotherAudienceWithoutExpiryOrOfAnotherIssuerIsRefused() {
        Instant now = Instant.now();
        String otherAudience = TestTokens.token(TestTokens.ISSUER, "another-api", "u-op", List.of("operator"), now,
                Duration.ofMinutes(5), TestTokens.testKey());
        String noAudience = TestTokens.token(TestTokens.ISSUER, null, "u-op", List.of("operator"), now,
                Duration.ofMinutes(5), TestTokens.testKey());
        String forever = TestTokens.token(TestTokens.ISSUER, TestTokens.AUDIENCE, "u-op", List.of("operator"), now,
                null, TestTokens.testKey());
        String expired = TestTokens.token(TestTokens.ISSUER, "u-op", List.of("operator"),
                now.minus(Duration.ofHours(2)), Duration.ofMinutes(5), TestTokens.testKey());
        String foreign = TestTokens.token("https://someone-else.example", "u-op", List.of("operator"), now,
                Duration.ofMinutes(5), TestTokens.testKey());
        for (String token : List.of(otherAudience, noAudience, forever, expired, foreign)) {
            HttpResponse<String> r = get("/api/operators", token);
            assertThat(r.statusCode()).isEqualTo(401);
            // a fixed message: nothing of the decoder's detail
            assertThat(r.body()).contains("the bearer token is not valid").doesNotContain("Jwt").doesNotContain("claim");
        }
    }

    @Test
    void probesAndPublicPathsAreOpenAndEverythingElseIsRefused() {
        assertThat(get("/actuator/health", null).statusCode()).isEqualTo(200);
        assertThat(get("/public/page", null).statusCode()).isEqualTo(200);
        assertThat(get("/elsewhere", null).statusCode()).isIn(401, 403);
        assertThat(get("/elsewhere", TestTokens.operator("u-op")).statusCode()).isEqualTo(403);
    }
}
