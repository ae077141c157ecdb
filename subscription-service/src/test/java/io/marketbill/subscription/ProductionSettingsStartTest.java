package io.marketbill.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The shared prod check (reliable-messaging's ProductionSettingsCheck) is wired into subscription-service: the
 * manifests' database password stops it before it connects, named but not shown; so does the development login as
 * the identity provider its API trusts (the local default, when the deployment names none).
 */
class ProductionSettingsStartTest {

    @Test
    void theManifestsDatabasePasswordStopsTheService() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(SubscriptionServiceApplication.class).profiles("prod")
                .properties("server.port=0", "DB_PASSWORD=replace-from-your-secret-store").run().close())
                .hasStackTraceContaining("refusing to start with the prod profile")
                .hasStackTraceContaining("spring.datasource.password (env DB_PASSWORD) is a value committed")
                .hasStackTraceContaining("spring.security.oauth2.resourceserver.jwt.jwk-set-uri (env "
                        + "IDENTITY_JWK_SET_URI) is a development login")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("replace-from-your-secret-store"));
    }
}
