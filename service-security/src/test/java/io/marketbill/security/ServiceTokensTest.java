package io.marketbill.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketbill.testsupport.TestTokens;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** A service's own token from the test identity provider's token endpoint (client credentials, over HTTP). */
class ServiceTokensTest {

    private static ServiceSecurityProperties.Client client(String secret) {
        return new ServiceSecurityProperties.Client(TestTokens.tokenUri(), TestTokens.CLIENT_ID, secret,
                null);
    }

    /** A clock the test moves. */
    static final class MovingClock extends Clock {
        Instant now = Instant.now();

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aTokenIsReusedUntilAMinuteBeforeItExpiresAndAskedForAgainWhenForgotten() {
        MovingClock clock = new MovingClock();
        ServiceTokens tokens = new ServiceTokens(client(TestTokens.CLIENT_SECRET), clock);
        int before = TestTokens.serviceTokensIssued();
        String first = tokens.authorization();
        assertThat(first).startsWith("Bearer ey");
        String claims = TestTokens.claimsOf(first);
        assertThat(claims).contains("\"sub\":\"" + TestTokens.CLIENT_ID + "\"").contains("\"roles\":[\"service\"]");
        clock.now = clock.now.plus(Duration.ofMinutes(3));
        assertThat(tokens.authorization()).isEqualTo(first);
        assertThat(TestTokens.serviceTokensIssued() - before).isEqualTo(1);

        clock.now = clock.now.plus(Duration.ofMinutes(1)).plusSeconds(1); // 4 min 1 s of a 5-minute token
        tokens.authorization();
        assertThat(TestTokens.serviceTokensIssued() - before).isEqualTo(2);

        tokens.forget();
        tokens.authorization();
        assertThat(TestTokens.serviceTokensIssued() - before).isEqualTo(3);
    }

    @Test
    void aRefusedClientGetsAClearErrorThatNamesNoSecret() {
        ServiceTokens tokens = new ServiceTokens(client("not-the-secret-of-this-client-at-all"), Clock.systemUTC());
        assertThatThrownBy(tokens::authorization).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refused client " + TestTokens.CLIENT_ID).hasMessageContaining("401")
                .hasMessageNotContaining("not-the-secret");
    }

    @Test
    void withoutATokenEndpointTheServiceSaysWhichSettingIsMissing() {
        ServiceTokens tokens = new ServiceTokens(new ServiceSecurityProperties.Client(null, null, null, null),
                Clock.systemUTC());
        assertThat(tokens.configured()).isFalse();
        assertThatThrownBy(tokens::authorization).hasMessageContaining("marketbill.security.client.token-uri");
    }
}
