package io.marketbill.binding;

import java.time.Clock;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Links marketplace subscriptions to the vendor's organizations. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class BindingServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(BindingServiceApplication.class, args);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
