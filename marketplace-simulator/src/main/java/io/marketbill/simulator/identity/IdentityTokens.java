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
 * {@code aud} (marketbill's audience, {@code simulator.identity.audience}), {@code sub} (the user id or a service's
 * client id), {@code name}, {@code iat}, {@code exp}, {@code roles} (empty for users).
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

    String issue(String userId, List<String> roles) {
        return issue(userId, roles, lifetime);
    }

    String issue(String userId, List<String> roles, Duration lifetime) {
        Instant now = clock.instant();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "RS256");
        header.put("typ", "JWT");
        header.put("kid", key.kid());
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("aud", audience);
        claims.put("sub", userId);
        claims.put("name", userId);
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.plus(lifetime).getEpochSecond());
        claims.put("roles", roles);
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
