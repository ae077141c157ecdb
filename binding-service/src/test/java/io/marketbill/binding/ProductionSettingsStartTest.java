package io.marketbill.binding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The shared prod check (reliable-messaging's ProductionSettingsCheck) is wired into binding-service: compose's
 * defaults (the simulator's password-less development login as the identity provider) and the tests' own
 * login-ticket secret (src/test/resources/config/application.yml, which every test context reads) stop it at start,
 * named but not shown.
 */
class ProductionSettingsStartTest {

    @Test
    void theDevelopmentLoginAndAShortTicketSecretStopTheService() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(BindingServiceApplication.class).profiles("prod")
                .properties("server.port=0", "DB_PASSWORD=Hq4-a-database-password",
                        "IDENTITY_JWK_SET_URI=http://marketplace-simulator:8090/dev-login/jwks.json",
                        "IDENTITY_ISSUER=http://localhost:8090/dev-login",
                        "IDENTITY_LOGIN_URL=http://localhost:8090/dev-login").run().close())
                .hasStackTraceContaining("refusing to start with the prod profile")
                .hasStackTraceContaining("marketbill.login-ticket.secret (env LOGIN_TICKET_SECRET) is a value committed in the repository")
                .hasStackTraceContaining("(env IDENTITY_JWK_SET_URI) is a development login")
                // its own client, for the ops console's calls to the other services
                .hasStackTraceContaining("marketbill.security.client.client-secret (env SERVICE_CLIENT_SECRET) is not set")
                .hasStackTraceContaining("marketbill.identity.login-url (env IDENTITY_LOGIN_URL) is a development login")
                // the sign-in's redirect_uri would otherwise be built from the internal host the request came to
                .hasStackTraceContaining("marketbill.binding.public-url")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("test-login-ticket-secret",
                        "dev-login/jwks.json", "localhost:8090"));
    }
}
