package io.marketbill.notification.mail;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code marketbill.notification.*}.
 *
 * @param from                 the sender address. Environment: MAIL_FROM.
 * @param operationsAddresses  the vendor's operations addresses (comma-separated): metering that could not be
 *                             delivered. Environment: OPERATIONS_ADDRESSES.
 * @param operationsLanguage   their language
 * @param copyOperations       also send operations a copy of every billing-critical mail
 * @param defaultLanguage      for users whose language is not known
 * @param templatesDir         a folder of templates that override the built-in ones, file by file (no rebuild).
 *                             Environment: MAIL_TEMPLATES_DIR.
 * @param sendInterval         how often due mail is sent
 * @param batchSize            mails per round (one SMTP connection)
 * @param maxAttempts          then the mail is DEAD (visible, resendable)
 * @param initialBackoff       first retry delay, doubled per attempt up to maxBackoff
 * @param maxBackoff           longest retry delay
 * @param perRecipientPerHour  at most this many mails to one address per hour; more wait, nothing is dropped
 * @param sendingTimeout       a mail SENDING this long (the sender died mid-send) is sent again
 * @param publicUrl            where the gateway is reached from a mail (the opt-out link). Environment:
 *                             PUBLIC_BASE_URL.
 * @param linkSecret           signs opt-out links; a secret, required. The default is a development value that the
 *                             prod profile refuses. Environment: NOTIFICATION_LINK_SECRET.
 */
@ConfigurationProperties("marketbill.notification")
public record MailProperties(
        @DefaultValue("billing@marketbill.local") String from,
        @DefaultValue List<String> operationsAddresses,
        @DefaultValue("zh-CN") String operationsLanguage,
        @DefaultValue("false") boolean copyOperations,
        @DefaultValue("zh-CN") String defaultLanguage,
        String templatesDir,
        @DefaultValue("1s") Duration sendInterval,
        @DefaultValue("50") int batchSize,
        @DefaultValue("10") int maxAttempts,
        @DefaultValue("10s") Duration initialBackoff,
        @DefaultValue("5m") Duration maxBackoff,
        @DefaultValue("30") int perRecipientPerHour,
        @DefaultValue("1m") Duration sendingTimeout,
        @DefaultValue("http://127.0.0.1:8080") String publicUrl,
        String linkSecret) {

    @Override
    public String toString() {
        // the default would print the link secret, which forges opt-out links, wherever the properties are shown
        return "MailProperties[from=" + from + ", operationsAddresses=" + operationsAddresses + ", operationsLanguage="
                + operationsLanguage + ", copyOperations=" + copyOperations + ", defaultLanguage=" + defaultLanguage
                + ", templatesDir=" + templatesDir + ", sendInterval=" + sendInterval + ", batchSize=" + batchSize
                + ", maxAttempts=" + maxAttempts + ", initialBackoff=" + initialBackoff + ", maxBackoff=" + maxBackoff
                + ", perRecipientPerHour=" + perRecipientPerHour + ", sendingTimeout=" + sendingTimeout
                + ", publicUrl=" + publicUrl + ", linkSecret=<hidden>]";
    }
}
