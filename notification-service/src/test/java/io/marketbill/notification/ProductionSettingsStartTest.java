package io.marketbill.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The shared prod check (reliable-messaging's ProductionSettingsCheck) is wired into notification-service: the
 * manifests' SMTP password and the built-in development link secret stop it at start, named but not shown.
 */
class ProductionSettingsStartTest {

    @Test
    void thePlaceholderSmtpPasswordAndTheDevelopmentLinkSecretStopTheService() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(NotificationServiceApplication.class).profiles("prod")
                .properties("server.port=0", "DB_PASSWORD=Hq4-a-database-password",
                        "SMTP_PASSWORD=replace-from-your-secret-store").run().close())
                .hasStackTraceContaining("refusing to start with the prod profile")
                .hasStackTraceContaining("spring.mail.password (env SMTP_PASSWORD) is a value committed")
                .hasStackTraceContaining("marketbill.notification.link-secret (env NOTIFICATION_LINK_SECRET) is a "
                        + "value committed")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("replace-from-your-secret-store",
                        "local-notification-link-secret"));
    }
}
