package io.marketbill.simulator.identity;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issues the tokens of the vendor's identity provider as the contract fixes them: RS256, claims {@code iss},
 * {@code aud}, {@code sub} (the user id or a service's client id), {@code name}, {@code iat}, {@code exp},
 * {@code roles} (empty for users). Two kinds, told apart the standard ways:
 * <ul>
 * <li>ID tokens of a browser sign-in (OpenID Connect Core 1.0 section 2): {@code typ} {@code JWT}, {@code aud} and
 * {@code azp} the client that asked, and the sign-in's {@code nonce}.</li>
 * <li>access tokens for the APIs (RFC 9068): {@code typ} {@code at+jwt} (section 2.1), {@code aud} marketbill's
 * audience ({@code simulator.identity.audience}), {@code client_id} the client they were issued to (section 2.2).</li>
 * </ul>
 */
@Component
class IdentityTokens {

    private final SigningKey key;
    private final String issuer;
    private final Duration lifetime;
    private final String audience;
    private final Clock clock = Clock.systemUTC();
    private final JsonMapper json = JsonMapper.builder().build();

    IdentityTokens(@Value("${simulator.identity.key-location:}") String keyLocation,
                   @Value("${simulator.identity.issuer}") String issuer,
                   @Value("${simulator.identity.token-lifetime:1h}") Duration lifetime,
                   @Value("${simulator.identity.audience:marketbill}") String audience) {
        this.key = keyLocation.isBlank() ? SigningKey.inMemory() : SigningKey.at(Path.of(keyLocation));
        this.issuer = issuer;
        this.lifetime = lifetime;
        this.audience = audience;
    }

    String issuer() {
        return issuer;
    }

    Map<String, Object> jwks() {
        return Map.of("keys", List.of(key.jwk()));
    }

    /**
     * An ID token for a browser sign-in by {@code clientId} (null: a client that named none, which gets marketbill's
     * audience and no {@code azp}), with its {@code nonce} unless null.
     */
    String idToken(String userId, List<String> roles, String clientId, String nonce) {
        Map<String, Object> claims = claims(userId, roles, clientId == null ? audience : clientId, lifetime);
        if (clientId != null) {
            claims.put("azp", clientId);
        }
        if (nonce != null) {
            claims.put("nonce", nonce);
        }
        return sign("JWT", claims);
    }

    /** An access token for marketbill's APIs, issued to {@code clientId}, living {@code lifetime}. */
    String accessToken(String subject, List<String> roles, String clientId, Duration lifetime) {
        Map<String, Object> claims = claims(subject, roles, audience, lifetime);
        claims.put("client_id", clientId);
        return sign("at+jwt", claims);
    }

    /** {@link #accessToken(String, List, String, Duration)} with the configured lifetime. */
    String accessToken(String subject, List<String> roles, String clientId) {
        return accessToken(subject, roles, clientId, lifetime);
    }

    private Map<String, Object> claims(String subject, List<String> roles, String aud, Duration lifetime) {
        Instant now = clock.instant();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("aud", aud);
        claims.put("sub", subject);
        claims.put("name", subject);
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.plus(lifetime).getEpochSecond());
        claims.put("roles", roles);
        return claims;
    }

    private String sign(String typ, Map<String, Object> claims) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "RS256");
        header.put("typ", typ);
        header.put("kid", key.kid());
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(json.writeValueAsBytes(header)) + "."
                + b64.encodeToString(json.writeValueAsBytes(claims));
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key.privateKey());
            rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64.encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
