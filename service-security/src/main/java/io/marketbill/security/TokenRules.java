package io.marketbill.security;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.util.StringUtils;

/**
 * What makes a token of the vendor's identity provider acceptable to marketbill, for every service alike (the
 * gateway's reactive decoder uses the same rules): issued by the configured issuer, for one of marketbill's audiences
 * (a token the provider issued for another application or API is refused), with an expiry (a token without one would
 * be valid forever), within its lifetime (60 s of clock skew), and with a subject. The signature (RS256 only) is the
 * decoder's. {@link #validator} is for the APIs (access tokens), {@link #idTokenValidator} for the browser sign-ins
 * (ID tokens).
 */
public final class TokenRules {

    /** The role of operators: every API of every service. */
    public static final String OPERATOR = "OPERATOR";
    /** The role of another marketbill service calling with its own token (client credentials). */
    public static final String SERVICE = "SERVICE";
    /**
     * The {@code typ} of a JWT access token, short and full (RFC 9068 section 2.1: "at+jwt"; section 4: a resource
     * server must accept both, compared without regard to case).
     */
    public static final List<String> ACCESS_TOKEN_TYPES = List.of("at+jwt", "application/at+jwt");

    private TokenRules() {
    }

    /** {@link #validator(String, Collection, boolean)}, not requiring RFC 9068's {@code typ}. */
    public static OAuth2TokenValidator<Jwt> validator(String issuer, Collection<String> audiences) {
        return validator(issuer, audiences, false);
    }

    /**
     * The APIs' rules. The {@code typ} header: with {@code requireAccessTokenType}, RFC 9068's {@code at+jwt} (or
     * {@code application/at+jwt}) only, so that no ID token (which an OpenID provider types {@code JWT} or not at
     * all) is taken for an access token (RFC 9068 section 4); without, also {@code JWT} or none, what most providers
     * put on their access tokens. Spring Security's default allows {@code JWT} or none only, which would refuse the
     * typed access tokens of a provider that follows RFC 9068 (the development login's, since it does).
     */
    public static OAuth2TokenValidator<Jwt> validator(String issuer, Collection<String> audiences,
                                                      boolean requireAccessTokenType) {
        if (!StringUtils.hasText(issuer)) {
            throw new IllegalStateException("spring.security.oauth2.resourceserver.jwt.issuer-uri (env IDENTITY_ISSUER)"
                    + " is required: tokens of any other issuer are refused");
        }
        List<String> wanted = audiences == null ? List.of() : audiences.stream().filter(StringUtils::hasText).toList();
        if (wanted.isEmpty()) {
            throw new IllegalStateException("marketbill.security.audiences (env IDENTITY_AUDIENCE) is required: the "
                    + "audience the identity provider puts in tokens meant for marketbill");
        }
        JwtTypeValidator types;
        if (requireAccessTokenType) {
            types = new JwtTypeValidator(ACCESS_TOKEN_TYPES);
        } else {
            List<String> any = new ArrayList<>(ACCESS_TOKEN_TYPES);
            any.add("JWT");
            types = new JwtTypeValidator(any);
            types.setAllowEmpty(true);
        }
        return new DelegatingOAuth2TokenValidator<>(
                JwtValidators.createDefaultWithValidators(new JwtIssuerValidator(issuer), types),
                new JwtClaimValidator<Instant>("exp", Objects::nonNull),
                new JwtClaimValidator<String>("sub", StringUtils::hasText),
                new JwtClaimValidator<Collection<String>>("aud", aud -> aud != null && aud.stream()
                        .anyMatch(wanted::contains)));
    }

    /**
     * The rules for an OpenID Connect ID token posted back to one of marketbill's browser sign-ins, beyond the
     * signature (the decoder's) and the {@code nonce} (the sign-in's own: only it knows what it sent). From OpenID
     * Connect Core 1.0 section 3.1.3.7 (https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation):
     * {@code iss} the provider (2); {@code aud} contains the sign-in's {@code client_id} (3): a token the provider
     * issued to another client is not a sign-in here, even when marketbill's API audience is among its audiences;
     * with more than one audience an {@code azp} (4), and an {@code azp} is that client id (5); within its
     * lifetime (9, 60 s of skew); with an expiry and a subject (section 2: both required). And it must not be an
     * access token: none typed {@code at+jwt} (RFC 9068 section 2.1), none with one of {@code accessTokenClaims}
     * (which providers put in access tokens and not in ID tokens, e.g. RFC 9068's {@code client_id} and
     * {@code scope}, Microsoft's {@code scp}), so that a bearer token meant for an API cannot be replayed as a
     * sign-in.
     */
    public static OAuth2TokenValidator<Jwt> idTokenValidator(String issuer, String clientId,
                                                             Collection<String> accessTokenClaims) {
        if (!StringUtils.hasText(issuer)) {
            throw new IllegalStateException("spring.security.oauth2.resourceserver.jwt.issuer-uri (env IDENTITY_ISSUER)"
                    + " is required: ID tokens of any other issuer are refused");
        }
        if (!StringUtils.hasText(clientId)) {
            throw new IllegalStateException("the sign-in's client id is required: an ID token must name it in aud");
        }
        List<String> accessOnly = accessTokenClaims == null ? List.of()
                : accessTokenClaims.stream().filter(StringUtils::hasText).map(String::strip).toList();
        OAuth2TokenValidator<Jwt> notTypedAsAccessToken = jwt -> {
            Object typ = jwt.getHeaders().get("typ");
            return typ instanceof String t && ACCESS_TOKEN_TYPES.stream().anyMatch(t::equalsIgnoreCase)
                    ? refused("typ", "an access token (typ at+jwt), not an ID token")
                    : OAuth2TokenValidatorResult.success();
        };
        OAuth2TokenValidator<Jwt> noAccessTokenClaims = jwt -> accessOnly.stream().filter(jwt::hasClaim).findFirst()
                .map(claim -> refused(claim, "a claim of access tokens, not of ID tokens"))
                .orElseGet(OAuth2TokenValidatorResult::success);
        OAuth2TokenValidator<Jwt> audience = jwt -> {
            List<String> aud = jwt.getAudience();
            if (aud == null || !aud.contains(clientId)) {
                return refused("aud", "not issued to this sign-in's client");
            }
            String azp = jwt.getClaimAsString("azp");
            if (azp == null && aud.size() > 1) {
                return refused("azp", "several audiences and no authorized party");
            }
            if (azp != null && !azp.equals(clientId)) {
                return refused("azp", "authorized party is another client");
            }
            return OAuth2TokenValidatorResult.success();
        };
        return new DelegatingOAuth2TokenValidator<>(List.of(
                new JwtTimestampValidator(),
                new JwtIssuerValidator(issuer),
                new JwtClaimValidator<Instant>("exp", Objects::nonNull),
                new JwtClaimValidator<String>("sub", StringUtils::hasText),
                audience, notTypedAsAccessToken, noAccessTokenClaims));
    }

    /** A fixed description naming the claim: no value of the token goes into it (it may be logged). */
    private static OAuth2TokenValidatorResult refused(String claim, String why) {
        return OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", claim + ": " + why, null));
    }

    /** {@code ROLE_} + each of the token's {@code roles}, upper-cased. */
    public static List<GrantedAuthority> authorities(Jwt jwt) {
        List<String> roles = jwt.hasClaim("roles") ? jwt.getClaimAsStringList("roles") : null;
        return roles == null ? List.of() : roles.stream().filter(StringUtils::hasText)
                .map(r -> (GrantedAuthority) new SimpleGrantedAuthority("ROLE_" + r.strip().toUpperCase(Locale.ROOT)))
                .toList();
    }
}
