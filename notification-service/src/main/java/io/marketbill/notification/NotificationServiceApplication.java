package io.marketbill.notification;

import io.marketbill.notification.mail.MailProperties;
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

/** Emails the right people about every billing change, once, in their language. */
@SpringBootApplication
// the paths are the same on the service and at the gateway, so one relative server fits both
@OpenAPIDefinition(info = @Info(title = "notification-service", version = "0.1.0",
        description = "Mail about billing changes: the send log, dead mail and resends, events waiting for an admin; dead letters.",
        license = @License(name = "Apache-2.0")), servers = @Server(url = "/"))
@EnableScheduling
@EnableConfigurationProperties(MailProperties.class)
public class NotificationServiceApplication {

    /** The opt-out page is public (its link is signed); every API for operators. */
    @org.springframework.context.annotation.Bean
    io.marketbill.security.ApiAccess apiAccess() {
        return new io.marketbill.security.ApiAccess(java.util.List.of("/notifications/opt-out"), java.util.List.of(),
                java.util.List.of());
    }

    public static void main(String[] args) {
        SpringApplication.run(NotificationServiceApplication.class, args);
    }

    /** Retry times and the rate limit read this clock; tests replace it. */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
