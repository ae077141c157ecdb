package io.marketbill.notification;

import io.marketbill.notification.mail.MailProperties;
import java.time.Clock;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Emails the right people about every billing change, once, in their language. */
@SpringBootApplication
@EnableScheduling
@EnableConfigurationProperties(MailProperties.class)
public class NotificationServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(NotificationServiceApplication.class, args);
    }

    /** Retry times and the rate limit read this clock; tests replace it. */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
