package io.marketbill.gateway.usage;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketbill.gateway.GatewayServiceApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The local development producer does not exist with prod, and prod does not start without a producer. */
class ProductionUsageCheckTest {

    @Test
    void theProdProfileRefusesToStartWithoutAUsageProducer() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(GatewayServiceApplication.class).profiles("prod")
                .properties("server.port=0", "ALIYUN_SPI_KEY=a-key-from-the-seller-console",
                        "LOGIN_TICKET_SECRET=a-ticket-secret-from-the-vault",
                        "IDENTITY_JWK_SET_URI=https://identity.example.org/jwks.json",
                        "IDENTITY_ISSUER=https://identity.example.org")
                .run().close())
                .hasStackTraceContaining("marketbill.usage.producers[0].key-sha256 is not set")
                .hasStackTraceContaining("refusing to start with the prod profile");
    }
}
