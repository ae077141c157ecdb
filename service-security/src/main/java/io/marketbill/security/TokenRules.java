package io.marketbill.security;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.util.StringUtils;

/**
 * What makes a token of the vendor's identity provider acceptable to marketbill, for every service alike (the
 * gateway's reactive decoder uses the same rules): issued by the configured issuer, for one of marketbill's audiences
 * (a token the provider issued for another application or API is refused), with an expiry (a token without one would
 * be valid forever), within its lifetime (60 s of clock skew), and with a subject. The signature (RS256 only) is the
 * decoder's.
 */
public final class TokenRules {

    /** The role of operators: every API of every service. */
    public static final String OPERATOR = "OPERATOR";
    /** The role of another marketbill service calling with its own token (client credentials). */
    public static final String SERVICE = "SERVICE";

    private TokenRules() {
    }

    public static OAuth2TokenValidator<Jwt> validator(String issuer, Collection<String> audiences) {
        if (!StringUtils.hasText(issuer)) {
            throw new IllegalStateException("spring.security.oauth2.resourceserver.jwt.issuer-uri (env IDENTITY_ISSUER)"
                    + " is required: tokens of any other issuer are refused");
        }
        List<String> wanted = audiences == null ? List.of() : audiences.stream().filter(StringUtils::hasText).toList();
        if (wanted.isEmpty()) {
            throw new IllegalStateException("marketbill.security.audiences (env IDENTITY_AUDIENCE) is required: the "
                    + "audience the identity provider puts in tokens meant for marketbill");
        }
        return new DelegatingOAuth2TokenValidator<>(
                JwtValidators.createDefaultWithIssuer(issuer),
                new JwtClaimValidator<Instant>("exp", Objects::nonNull),
                new JwtClaimValidator<String>("sub", StringUtils::hasText),
                new JwtClaimValidator<Collection<String>>("aud", aud -> aud != null && aud.stream()
                        .anyMatch(wanted::contains)));
    }

    /** {@code ROLE_} + each of the token's {@code roles}, upper-cased. */
    public static List<GrantedAuthority> authorities(Jwt jwt) {
        List<String> roles = jwt.hasClaim("roles") ? jwt.getClaimAsStringList("roles") : null;
        return roles == null ? List.of() : roles.stream().filter(StringUtils::hasText)
                .map(r -> (GrantedAuthority) new SimpleGrantedAuthority("ROLE_" + r.strip().toUpperCase(Locale.ROOT)))
                .toList();
    }
}
