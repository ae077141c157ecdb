package io.marketbill.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The only public entrance: marketplace callbacks in, lifecycle events out, internal APIs routed. */
@SpringBootApplication
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
