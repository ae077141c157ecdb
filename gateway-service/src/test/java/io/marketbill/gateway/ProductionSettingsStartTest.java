package io.marketbill.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The shared prod check (reliable-messaging's ProductionSettingsCheck) is wired into the gateway: the manifests'
 * placeholder, a login-ticket secret under 32 characters, the simulator's development login and its SNS test CA
 * stop it at start, named but not shown; a production configuration starts.
 */
class ProductionSettingsStartTest {

    /** A usage producer's key hash that is not the local one. */
    private static final String PRODUCER_HASH = "0216153242c21fa5b75975a665a703db3d318d9bd59d7db3cd5ca600579b2ad8";

    private static SpringApplicationBuilder prod(String... more) throws Exception {
        int kafka;
        try (ServerSocket s = new ServerSocket(0)) {
            kafka = s.getLocalPort(); // nothing listens there: the gateway starts without a broker
        }
        return new SpringApplicationBuilder(GatewayServiceApplication.class).profiles("prod")
                .properties(
                        // defaults, below application.yml: the ports through the variables it reads
                        "GATEWAY_PORT=0", "GATEWAY_MANAGEMENT_PORT=0", "KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:" + kafka,
                        "ALIYUN_SPI_KEY=nS8fK2pQ7xWz1vB4rT6y",
                        "LOGIN_TICKET_SECRET=pWq3v9XzT1kLm8RbN2cYd5FhJ7gSa0Ue",
                        "IDENTITY_JWK_SET_URI=https://login.vendor.test/.well-known/jwks.json",
                        "IDENTITY_ISSUER=https://login.vendor.test",
                        "SERVICE_TOKEN_URI=https://login.vendor.test/oauth/token",
                        "SERVICE_CLIENT_SECRET=cS4vN8qW2eR6tY0uI3oP7aS1dF5gH9jK",
                        "marketbill.usage.producers[0].name=platform",
                        "marketbill.usage.producers[0].key-sha256=" + PRODUCER_HASH,
                        "marketbill.usage.producers[0].sources=//platform.vendor.test/")
                .properties(more);
    }

    @Test
    void unsafeSettingsStopTheGatewayNamedButNotShown() {
        assertThatThrownBy(() -> prod("ALIYUN_SPI_KEY=replace-from-your-secret-store",
                "SERVICE_CLIENT_SECRET=dev-gateway-client-secret-for-the-local-stack",
                "SERVICE_TOKEN_URI=http://127.0.0.1:8090/dev-login/oauth/token",
                "LOGIN_TICKET_SECRET=a-ticket-secret-from-the-vault",
                "IDENTITY_ISSUER=http://localhost:8090/dev-login",
                "marketbill.aws.sns.test-ca-pem=/data/simulator-ca.pem").run().close())
                .hasStackTraceContaining("refusing to start with the prod profile")
                .hasStackTraceContaining("marketbill.aliyun.spi-key (env ALIYUN_SPI_KEY) is a value committed")
                .hasStackTraceContaining("marketbill.login-ticket.secret (env LOGIN_TICKET_SECRET) is shorter than 32")
                .hasStackTraceContaining("(env IDENTITY_ISSUER) is a development login")
                .hasStackTraceContaining("marketbill.security.client.client-secret (env SERVICE_CLIENT_SECRET) is a "
                        + "value committed")
                .hasStackTraceContaining("marketbill.security.client.token-uri (env SERVICE_TOKEN_URI) is a development "
                        + "login")
                .hasStackTraceContaining("marketbill.aws.sns.test-ca-pem trusts the marketplace simulator's test CA")
                .satisfies(e -> assertThat(stackTrace(e)).doesNotContain("replace-from-your-secret-store",
                        "a-ticket-secret-from-the-vault", "localhost:8090", "simulator-ca.pem",
                        "dev-gateway-client-secret", "127.0.0.1:8090"));
    }

    @Test
    void aProductionConfigurationStarts() throws Exception {
        try (ConfigurableApplicationContext context = prod().run()) {
            assertThat(context.isRunning()).isTrue();
        }
    }

    static String stackTrace(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t).append('\n');
        }
        return all.toString();
    }
}
