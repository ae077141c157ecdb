package io.marketbill.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;

class VerifiedTokensTest {

    static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    static Jwt jwt(String token, Instant expiresAt) {
        return Jwt.withTokenValue(token).header("alg", "RS256").subject("u-1").issuedAt(NOW.minusSeconds(60))
                .expiresAt(expiresAt).build();
    }

    @Test
    void aVerifiedTokenIsCheckedOnceUntilItExpiresAndARefusedOneEveryTime() {
        AtomicInteger verifications = new AtomicInteger();
        JwtDecoder delegate = token -> {
            verifications.incrementAndGet();
            if (token.startsWith("bad")) {
                throw new BadJwtException("signature");
            }
            return jwt(token, NOW.plusSeconds(30));
        };
        Clock[] clock = {Clock.fixed(NOW, ZoneOffset.UTC)};
        VerifiedTokens tokens = new VerifiedTokens(delegate, new Clock() {
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            public Instant instant() {
                return clock[0].instant();
            }
        });

        tokens.decode("good");
        tokens.decode("good");
        assertThat(verifications).hasValue(1);
        assertThatThrownBy(() -> tokens.decode("bad")).isInstanceOf(BadJwtException.class);
        assertThatThrownBy(() -> tokens.decode("bad")).isInstanceOf(BadJwtException.class);
        assertThat(verifications).hasValue(3);
        // once expired, the token goes through every check again
        clock[0] = Clock.fixed(NOW.plusSeconds(30), ZoneOffset.UTC);
        tokens.decode("good");
        assertThat(verifications).hasValue(4);
    }
}
