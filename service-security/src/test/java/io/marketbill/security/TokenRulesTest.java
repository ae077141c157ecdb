package io.marketbill.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;

/** The rules themselves, on decoded tokens (the signature is the decoder's; {@code ApiRulesTest} has the real path). */
class TokenRulesTest {

    static final String ISSUER = "https://identity.test.marketbill.io";
    static final String CLIENT = "marketbill-sign-in";

    /** A token that passes every rule of its kind, changed by {@code change}. */
    static Jwt jwt(Consumer<Jwt.Builder> change) {
        Instant now = Instant.now();
        Jwt.Builder b = Jwt.withTokenValue("t").header("alg", "RS256").issuer(ISSUER).subject("u-1")
                .audience(List.of(CLIENT)).issuedAt(now.minusSeconds(10)).expiresAt(now.plusSeconds(600));
        change.accept(b);
        return b.build();
    }

    static List<String> errors(OAuth2TokenValidator<Jwt> rules, Jwt jwt) {
        return rules.validate(jwt).getErrors().stream().map(OAuth2Error::getDescription).toList();
    }

    @Test
    void theApisTakeRfc9068AccessTokensAndByDefaultTheUntypedAndJwtTypedOnesTooButNoOtherType() {
        OAuth2TokenValidator<Jwt> rules = TokenRules.validator(ISSUER, List.of(CLIENT));
        for (String typ : new String[] {"at+jwt", "application/at+jwt", "AT+JWT", "JWT", null}) {
            assertThat(errors(rules, jwt(b -> b.header("typ", typ)))).as(String.valueOf(typ)).isEmpty();
        }
        assertThat(errors(rules, jwt(b -> b.header("typ", "logout+jwt")))).isNotEmpty();
    }

    @Test
    void requiringTheAccessTokenTypeRefusesIdTokensTypedJwtOrUntyped() {
        OAuth2TokenValidator<Jwt> strict = TokenRules.validator(ISSUER, List.of(CLIENT), true);
        assertThat(errors(strict, jwt(b -> b.header("typ", "at+jwt")))).isEmpty();
        assertThat(errors(strict, jwt(b -> b.header("typ", "application/at+jwt")))).isEmpty();
        assertThat(errors(strict, jwt(b -> b.header("typ", "JWT")))).isNotEmpty();
        assertThat(errors(strict, jwt(b -> { }))).as("no typ").isNotEmpty();
    }

    @Test
    void anIdTokenIsForThisClientFromTheProviderWithinItsLifetime() {
        OAuth2TokenValidator<Jwt> rules = TokenRules.idTokenValidator(ISSUER, CLIENT, List.of("scope", "scp", "client_id"));
        assertThat(errors(rules, jwt(b -> b.header("typ", "JWT").claim("nonce", "n-1")))).isEmpty();
        assertThat(errors(rules, jwt(b -> b.claim("azp", CLIENT)))).as("azp the client").isEmpty();
        assertThat(errors(rules, jwt(b -> b.audience(List.of(CLIENT, "marketbill")).claim("azp", CLIENT))))
                .as("several audiences, azp the client").isEmpty();

        assertThat(errors(rules, jwt(b -> b.audience(List.of("marketbill"))))).as("for marketbill's API, not the client")
                .containsExactly("aud: not issued to this sign-in's client");
        assertThat(errors(rules, jwt(b -> b.audience(List.of(CLIENT, "another-app")))))
                .containsExactly("azp: several audiences and no authorized party");
        assertThat(errors(rules, jwt(b -> b.claim("azp", "another-app"))))
                .containsExactly("azp: authorized party is another client");
        assertThat(errors(rules, jwt(b -> b.issuer("https://someone-else.example")))).isNotEmpty();
        assertThat(errors(rules, jwt(b -> b.issuedAt(Instant.now().minusSeconds(7200))
                .expiresAt(Instant.now().minusSeconds(3600))))).as("expired").isNotEmpty();
        assertThat(errors(rules, jwt(b -> b.claims(c -> c.remove("sub"))))).as("no subject").isNotEmpty();
        assertThat(errors(rules, jwt(b -> b.claims(c -> c.remove("exp"))))).as("no expiry").isNotEmpty();
    }

    @Test
    void anAccessTokenIsNoIdTokenByItsTypeOrByAClaimOfAccessTokens() {
        OAuth2TokenValidator<Jwt> rules = TokenRules.idTokenValidator(ISSUER, CLIENT, List.of("scope", "scp", "client_id"));
        assertThat(errors(rules, jwt(b -> b.header("typ", "at+jwt"))))
                .containsExactly("typ: an access token (typ at+jwt), not an ID token");
        assertThat(errors(rules, jwt(b -> b.header("typ", "application/at+jwt")))).hasSize(1);
        assertThat(errors(rules, jwt(b -> b.claim("scope", "openid"))))
                .containsExactly("scope: a claim of access tokens, not of ID tokens");
        assertThat(errors(rules, jwt(b -> b.claim("client_id", CLIENT)))).hasSize(1);
        assertThat(errors(rules, jwt(b -> b.claim("scp", List.of("read"))))).hasSize(1);

        // where the provider puts one of them in ID tokens too, the list is shortened (or emptied)
        OAuth2TokenValidator<Jwt> lenient = TokenRules.idTokenValidator(ISSUER, CLIENT, List.of());
        assertThat(errors(lenient, jwt(b -> b.claim("scope", "openid")))).isEmpty();
        assertThat(errors(lenient, jwt(b -> b.header("typ", "at+jwt")))).as("the type always counts").hasSize(1);
    }
}
