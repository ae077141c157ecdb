package io.marketbill.simulator.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/** The development identity provider, checked the way the services check tokens: against its JWKS. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "simulator.identity.issuer=http://127.0.0.1:8090/dev-login",
        "simulator.identity.users=u-alice, u-bob",
        "simulator.identity.token-lifetime=30m"})
class DevLoginTest {

    static final String ISSUER = "http://127.0.0.1:8090/dev-login";
    static final String REDIRECT = "http://127.0.0.1:8080/binding/login";

    @LocalServerPort int port;
    private final HttpClient http = HttpClient.newHttpClient();

    private Jwt verify(String token) {
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri("http://127.0.0.1:" + port + "/dev-login/jwks.json")
                .jwsAlgorithm(SignatureAlgorithm.RS256).build();
        // the issuer and lifetime as the services check them; both kinds of typ are looked at by each test
        JwtTypeValidator types = new JwtTypeValidator("JWT", "at+jwt");
        decoder.setJwtValidator(JwtValidators.createDefaultWithValidators(new JwtIssuerValidator(ISSUER), types));
        return decoder.decode(token);
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postForm(String path, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private HttpResponse<String> clientCredentials(String basicUser, String basicSecret, String grant) throws Exception {
        String basic = java.util.Base64.getEncoder().encodeToString((basicUser + ":" + basicSecret)
                .getBytes(StandardCharsets.UTF_8));
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/dev-login/oauth/token"))
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=" + grant)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** RFC 6749 §4.4 (client credentials, HTTP Basic client authentication) and §5.2's error codes. */
    @Test
    void servicesGetTokensOfTheirOwnWithTheClientCredentialsGrant() throws Exception {
        HttpResponse<String> ok = clientCredentials("gateway-service", "dev-gateway-client-secret-for-the-local-stack",
                "client_credentials");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("Cache-Control").orElse("")).contains("no-store");
        tools.jackson.databind.JsonNode body = tools.jackson.databind.json.JsonMapper.builder().build().readTree(ok.body());
        assertThat(body.path("token_type").asString()).isEqualTo("Bearer");
        assertThat(body.path("expires_in").asLong()).isEqualTo(300);
        Jwt jwt = verify(body.path("access_token").asString());
        assertThat(jwt.getSubject()).isEqualTo("gateway-service");
        assertThat(jwt.getClaimAsStringList("roles")).containsExactly("service");
        assertThat(jwt.getAudience()).containsExactly("marketbill");
        // an RFC 9068 access token: typed (section 2.1), with the client it was issued to (section 2.2)
        assertThat(jwt.getHeaders()).containsEntry("typ", "at+jwt");
        assertThat(jwt.getClaimAsString("client_id")).isEqualTo("gateway-service");
        assertThat(jwt.hasClaim("nonce")).isFalse();

        Jwt console = verify(new tools.jackson.databind.json.JsonMapper().readTree(clientCredentials("binding-service",
                "dev-binding-client-secret-for-the-local-stack", "client_credentials").body())
                .path("access_token").asString());
        assertThat(console.getClaimAsStringList("roles")).containsExactly("operator");

        HttpResponse<String> wrong = clientCredentials("gateway-service", "not-its-secret", "client_credentials");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("invalid_client");
        assertThat(clientCredentials("nobody", "x", "client_credentials").statusCode()).isEqualTo(401);
        HttpResponse<String> grant = clientCredentials("gateway-service", "dev-gateway-client-secret-for-the-local-stack",
                "password");
        assertThat(grant.statusCode()).isEqualTo(400);
        assertThat(grant.body()).contains("unsupported_grant_type");
    }

    @Test
    void theTokenEndpointIssuesContractTokensThatVerifyAgainstTheJwks() throws Exception {
        HttpResponse<String> r = postForm("/dev-login/token", "user=u-alice");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        Jwt user = verify(r.body().strip());
        assertThat(user.getHeaders()).containsEntry("alg", "RS256").containsKey("kid").containsEntry("typ", "at+jwt");
        assertThat(user.getClaimAsString("client_id")).isEqualTo(DevLogin.SCRIPT_CLIENT);
        assertThat(user.getAudience()).containsExactly("marketbill");
        assertThat(user.getIssuer().toString()).isEqualTo(ISSUER);
        assertThat(user.getSubject()).isEqualTo("u-alice");
        assertThat(user.getClaimAsString("name")).isEqualTo("u-alice");
        assertThat(user.getClaimAsStringList("roles")).isEmpty();
        assertThat(user.getIssuedAt()).isCloseTo(Instant.now(), within(Duration.ofSeconds(10)));
        assertThat(Duration.between(user.getIssuedAt(), user.getExpiresAt())).isEqualTo(Duration.ofMinutes(30));
        assertThat(get("/dev-login/jwks.json").body()).contains("\"kid\":\"" + user.getHeaders().get("kid") + "\"")
                .contains("\"kty\":\"RSA\"").contains("\"alg\":\"RS256\"");

        HttpResponse<String> byQuery = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/dev-login/token?user=u-olga&role=operator")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        Jwt operator = verify(byQuery.body().strip());
        assertThat(operator.getSubject()).isEqualTo("u-olga");
        assertThat(operator.getClaimAsStringList("roles")).containsExactly("operator");

        assertThat(postForm("/dev-login/token", "user=").statusCode()).isEqualTo(400);
        assertThat(postForm("/dev-login/token", "user=" + enc("<script>")).statusCode()).isEqualTo(400);
        assertThat(postForm("/dev-login/token", "user=u-alice&role=" + enc("Operator!")).statusCode()).isEqualTo(400);
    }

    @Test
    void theLoginPageOffersTheConfiguredUsersAndCarriesRedirectStateClientAndNonce() throws Exception {
        HttpResponse<String> r = get("/dev-login?redirect_uri=" + enc(REDIRECT) + "&state=" + enc("s-1\"><x")
                + "&client_id=marketbill&nonce=" + enc("n<1>&") + "&response_type=id_token&response_mode=form_post"
                + "&scope=openid");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(r.body()).contains("<form method=\"post\" action=\"/dev-login\">")
                .contains("name=\"redirect_uri\" value=\"" + REDIRECT + "\"")
                .contains("name=\"state\" value=\"s-1&quot;&gt;&lt;x\"")
                .contains("name=\"client_id\" value=\"marketbill\"")
                .contains("name=\"nonce\" value=\"n&lt;1&gt;&amp;\"")
                .contains("<option value=\"u-alice\">", "<option value=\"u-bob\">")
                .contains("name=\"user\"", "name=\"role\" value=\"operator\"", "登录", "Sign in");
    }

    @Test
    void onlyRedirectsOnTheAllowListAreServed() throws Exception {
        for (String bad : List.of("https://evil.example/cb", "http://127.0.0.1:8080@evil.example/cb",
                "javascript:alert(1)//http://127.0.0.1:", "/binding/login", "")) {
            HttpResponse<String> page = get("/dev-login?redirect_uri=" + enc(bad));
            assertThat(page.statusCode()).as(bad).isEqualTo(400);
            assertThat(page.body()).as(bad).contains("allow-list");
            HttpResponse<String> signIn = postForm("/dev-login", "user=u-alice&redirect_uri=" + enc(bad));
            assertThat(signIn.statusCode()).as(bad).isEqualTo(400);
            assertThat(signIn.body()).as(bad).doesNotContain("id_token");
        }
        assertThat(get("/dev-login").statusCode()).isEqualTo(400);
        assertThat(get("/dev-login?redirect_uri=" + enc("http://localhost:3000/cb")).statusCode()).isEqualTo(200);
    }

    @Test
    void signingInAnswersAFormPostOfTheIdTokenAndStateToTheRedirect() throws Exception {
        HttpResponse<String> r = postForm("/dev-login", "user=u-bob&role=operator&redirect_uri=" + enc(REDIRECT)
                + "&state=s-42");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Cache-Control")).hasValueSatisfying(v -> assertThat(v).contains("no-store"));
        String page = r.body();
        assertThat(page).contains("<form method=\"post\" action=\"" + REDIRECT + "\">")
                .contains("<input type=\"hidden\" name=\"state\" value=\"s-42\">")
                .contains("<button type=\"submit\">继续 <span lang=\"en\">Continue</span></button>")
                .contains("document.forms[0].submit()");
        Jwt jwt = verify(idToken(page));
        assertThat(jwt.getSubject()).isEqualTo("u-bob");
        assertThat(jwt.getClaimAsStringList("roles")).containsExactly("operator");
        assertThat(jwt.getHeaders()).containsEntry("typ", "JWT");
        // a client that names neither: marketbill's audience, no nonce, no azp
        assertThat(jwt.getAudience()).containsExactly("marketbill");
        assertThat(jwt.hasClaim("nonce")).isFalse();
        assertThat(jwt.hasClaim("azp")).isFalse();

        assertThat(postForm("/dev-login", "redirect_uri=" + enc(REDIRECT)).statusCode()).as("no user").isEqualTo(400);
    }

    /**
     * OpenID Connect Core 1.0: the ID token carries the authorization request's nonce unchanged (section 2, "nonce")
     * and names the client in aud and azp; it is no access token (no at+jwt, no client_id claim).
     */
    @Test
    void theIdTokenCarriesTheSignInsNonceAndNamesItsClient() throws Exception {
        HttpResponse<String> r = postForm("/dev-login", "user=u-alice&redirect_uri=" + enc(REDIRECT)
                + "&state=s-7&client_id=marketbill-sign-in&nonce=" + enc("Zq3-_nonce.of~the/sign-in"));
        assertThat(r.statusCode()).isEqualTo(200);
        Jwt jwt = verify(idToken(r.body()));
        assertThat(jwt.getClaimAsString("nonce")).isEqualTo("Zq3-_nonce.of~the/sign-in");
        assertThat(jwt.getAudience()).containsExactly("marketbill-sign-in");
        assertThat(jwt.getClaimAsString("azp")).isEqualTo("marketbill-sign-in");
        assertThat(jwt.getHeaders()).containsEntry("typ", "JWT");
        assertThat(jwt.hasClaim("client_id")).isFalse();
        assertThat(jwt.hasClaim("scope")).isFalse();

        for (String bad : List.of("nonce=" + enc("with space"), "nonce=" + enc("quo\"te"), "client_id=" + enc("a b"),
                "nonce=" + "n".repeat(513))) {
            HttpResponse<String> refused = postForm("/dev-login", "user=u-alice&redirect_uri=" + enc(REDIRECT) + "&"
                    + bad);
            assertThat(refused.statusCode()).as(bad).isEqualTo(400);
            assertThat(refused.body()).as(bad).doesNotContain("id_token");
            assertThat(get("/dev-login?redirect_uri=" + enc(REDIRECT) + "&" + bad).statusCode()).as(bad).isEqualTo(400);
        }
    }

    private static String idToken(String page) {
        Matcher token = Pattern.compile("name=\"id_token\" value=\"([^\"]+)\"").matcher(page);
        assertThat(token.find()).isTrue();
        return token.group(1);
    }

    private static org.assertj.core.data.TemporalUnitOffset within(Duration d) {
        return new org.assertj.core.data.TemporalUnitWithinOffset(d.toSeconds(), java.time.temporal.ChronoUnit.SECONDS);
    }
}
