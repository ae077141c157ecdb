package io.marketbill.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The shared prod check (reliable-messaging's ProductionSettingsCheck) is wired into billing-service: the
 * simulator as Alibaba's Market API (compose's default) and as the AWS reconciliation record stop it at start,
 * named but not shown.
 */
class ProductionSettingsStartTest {

    @Test
    void theSimulatorAsAMarketplaceStopsTheService() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(BillingServiceApplication.class).profiles("prod")
                .properties("server.port=0", "DB_PASSWORD=Hq4-a-database-password",
                        "ALIYUN_MARKET_ENDPOINT=http://marketplace-simulator:8090",
                        "AWS_METERING_RECORD_URL=http://10.0.0.7:8090/sim/aws/metering").run().close())
                .hasStackTraceContaining("refusing to start with the prod profile")
                .hasStackTraceContaining("marketbill.billing.aliyun.endpoint (env ALIYUN_MARKET_ENDPOINT) points at "
                        + "the marketplace simulator")
                .hasStackTraceContaining("marketbill.billing.reconciliation.aws-record (env AWS_METERING_RECORD_URL) "
                        + "points at the marketplace simulator")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("marketplace-simulator:8090",
                        "/sim/aws/metering"));
    }
}
