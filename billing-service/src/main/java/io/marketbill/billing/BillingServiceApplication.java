package io.marketbill.billing;

import java.time.Clock;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import io.swagger.v3.oas.annotations.servers.Server;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Meters usage in 0.01-yuan units and reports it to the marketplaces. */
@SpringBootApplication
// the paths are the same on the service and at the gateway, so one relative server fits both
@OpenAPIDefinition(info = @Info(title = "billing-service", version = "0.1.0",
        description = "Usage, hourly rating, the metering ledger and its reconciliation with the marketplaces, billing overviews; dead letters.",
        license = @License(name = "Apache-2.0")), servers = @Server(url = "/"))
@EnableScheduling
@EnableConfigurationProperties(BillingProperties.class)
public class BillingServiceApplication {

    /** An organization's billing overview for any signed-in user (it asks binding-service who may see it); every other API for operators. */
    @org.springframework.context.annotation.Bean
    io.marketbill.security.ApiAccess apiAccess() {
        return new io.marketbill.security.ApiAccess(java.util.List.of(),
                java.util.List.of("/api/billing/organizations/*/overview"), java.util.List.of());
    }

    public static void main(String[] args) {
        SpringApplication.run(BillingServiceApplication.class, args);
    }

    /** The hour boundaries, deadlines and windows read this clock; tests replace it. */
    @Bean
    Clock clock(BillingProperties props) {
        return Clock.offset(Clock.systemUTC(), props.clockOffset());
    }
}
