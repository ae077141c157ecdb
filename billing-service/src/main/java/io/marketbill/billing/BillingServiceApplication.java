package io.marketbill.billing;

import java.time.Clock;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Meters usage in 0.01-yuan units and reports it to the marketplaces. */
@SpringBootApplication
@EnableScheduling
@EnableConfigurationProperties(BillingProperties.class)
public class BillingServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(BillingServiceApplication.class, args);
    }

    /** The hour boundaries, deadlines and windows read this clock; tests replace it. */
    @Bean
    Clock clock(BillingProperties props) {
        return Clock.offset(Clock.systemUTC(), props.clockOffset());
    }
}
