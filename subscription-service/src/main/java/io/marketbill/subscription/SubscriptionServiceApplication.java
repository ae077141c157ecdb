package io.marketbill.subscription;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import io.swagger.v3.oas.annotations.servers.Server;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The registry of marketplace subscriptions and their history. */
@SpringBootApplication
// the paths are the same on the service and at the gateway, so one relative server fits both
@OpenAPIDefinition(info = @Info(title = "subscription-service", version = "0.1.0",
        description = "The registry of marketplace subscriptions and their history; dead letters.",
        license = @License(name = "Apache-2.0")), servers = @Server(url = "/"))
@ConfigurationPropertiesScan
public class SubscriptionServiceApplication {

    /** UTC; a bean so that tests can move time. */
    @org.springframework.context.annotation.Bean
    java.time.Clock clock() {
        return java.time.Clock.systemUTC();
    }

    /**
     * Operators, and the gateway with its own token: {@code /internal/**} (free-login claims, AWS agreements, which
     * the gateway does not route from outside) and the registry's lookups (which subscription an AWS notification is
     * about). Everything else (dead letters) for operators only.
     */
    @org.springframework.context.annotation.Bean
    io.marketbill.security.ApiAccess apiAccess() {
        return new io.marketbill.security.ApiAccess(java.util.List.of(), java.util.List.of(),
                java.util.List.of("/internal/**", "/api/subscriptions", "/api/subscriptions/*"));
    }

    public static void main(String[] args) {
        SpringApplication.run(SubscriptionServiceApplication.class, args);
    }
}
