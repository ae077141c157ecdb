package io.marketbill.gateway;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import io.swagger.v3.oas.annotations.servers.Server;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The only public entrance: marketplace callbacks in, lifecycle events out, internal APIs routed. */
@SpringBootApplication
// the paths are the same on the service and at the gateway, so one relative server fits both
@OpenAPIDefinition(info = @Info(title = "gateway-service", version = "0.1.0",
        description = "The public entrance: marketplace callbacks (Alibaba SPI and free login, AWS registration, SNS, EventBridge) and usage from the vendor's platform.",
        license = @License(name = "Apache-2.0")), servers = @Server(url = "/"))
@ConfigurationPropertiesScan
public class GatewayServiceApplication {

    /** UTC; a bean so that tests can move time. */
    @org.springframework.context.annotation.Bean
    java.time.Clock clock() {
        return java.time.Clock.systemUTC();
    }

    public static void main(String[] args) {
        SpringApplication.run(GatewayServiceApplication.class, args);
    }
}
