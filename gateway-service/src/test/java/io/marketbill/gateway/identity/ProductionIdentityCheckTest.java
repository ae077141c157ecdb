package io.marketbill.gateway.identity;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketbill.gateway.GatewayServiceApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The prod profile does not fall back to the local identity provider. */
class ProductionIdentityCheckTest {

    @Test
    void theProdProfileRefusesToStartWithoutAnExplicitIdentityProvider() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(GatewayServiceApplication.class).profiles("prod")
                .properties("server.port=0", "ALIYUN_SPI_KEY=a-key-from-the-seller-console",
                        "LOGIN_TICKET_SECRET=a-ticket-secret-from-the-vault")
                .run().close())
                .hasStackTraceContaining("marketbill.identity.jwk-set-uri (env IDENTITY_JWK_SET_URI) is not set")
                .hasStackTraceContaining("marketbill.identity.issuer (env IDENTITY_ISSUER) is not set")
                .hasStackTraceContaining("refusing to start with the prod profile");
    }
}
