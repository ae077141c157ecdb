package io.marketbill.notification.mail;

import io.marketbill.messaging.exclusive.ExclusiveRuns;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.mail.MessagingException;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.mail.javamail.MimeMessageHelper;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends the send log's due mail over SMTP, one connection per round, one mail at a time: each is marked
 * SENDING before and SENT right after the server took it, so a restart sends nothing already sent. While
 * SMTP fails, mail waits with backoff; after {@code max-attempts} it is DEAD (listed, resendable). A
 * recipient who got {@code per-recipient-per-hour} mails in the last hour waits; nothing is dropped.
 *
 * <p>A mail still SENDING after {@code sending-timeout} was cut off mid-send (the service died): if an
 * archive mailbox is configured ({@link MailArchive}) it is looked up there by its Message-ID and only sent
 * again if the server never took it; without one it is sent again (the same Message-ID, so mail clients can
 * fold a rare duplicate).
 */
@Component
public class MailDelivery {

    private static final Logger log = LoggerFactory.getLogger(MailDelivery.class);

    record Due(long id, String recipient, MailType type, String language, String productCode, String model,
               int attempts, String messageId) {
    }

    private final JdbcClient jdbc;
    private final JavaMailSenderImpl smtp;
    private final MailRenderer renderer;
    private final MailProperties props;
    private final OptOutLinks links;
    private final MailArchive archive;
    private final Clock clock;
    private final ExclusiveRuns exclusive;
    private final MeterRegistry meters;
    private final JsonMapper json = JsonMapper.builder().build();

    MailDelivery(JdbcClient jdbc, JavaMailSenderImpl smtp, MailRenderer renderer, MailProperties props,
                 OptOutLinks links, MailArchive archive, Clock clock, ExclusiveRuns exclusive, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.smtp = smtp;
        this.renderer = renderer;
        this.props = props;
        this.links = links;
        this.archive = archive;
        this.clock = clock;
        this.exclusive = exclusive;
        this.meters = meters;
        // registered at start (at 0), not on first use: the alerts on them (deploy/prometheus/alerts.yml) see the
        // first failure as an increase, and the dashboards find them before anything went wrong.
        // MailConnectException is the reason of a round that could not reach the SMTP server.
        meters.counter("marketbill.mail.failed", "reason", "MailConnectException");
        meters.counter("marketbill.mail.dead");
        meters.counter("marketbill.mail.rate.limited");
    }

    @Scheduled(fixedDelayString = "${marketbill.notification.send-interval:1s}")
    void tick() {
        // round after round while mail is due; the interval only applies when there is nothing to send
        exclusive.tick("notification.mail-delivery", this::deliverAll);
    }

    /** One round: settles mail cut off mid-send, then sends what is due. Returns how many were sent. */
    public synchronized int deliver() {
        settleInterrupted();
        List<Due> due = jdbc.sql("""
                SELECT id, recipient, mail_type, language, product_code, model, attempts, message_id FROM mail
                WHERE state = 'PENDING' AND next_attempt_at <= :now ORDER BY id LIMIT :n""")
                .param("now", Timestamp.from(clock.instant())).param("n", props.batchSize())
                .query((rs, n) -> new Due(rs.getLong(1), rs.getString(2), MailType.valueOf(rs.getString(3)),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getInt(7), rs.getString(8)))
                .list();
        if (due.isEmpty()) {
            return 0;
        }
        Map<String, Long> sentLastHour = new java.util.HashMap<>();
        jdbc.sql("""
                SELECT recipient, COUNT(*) FROM mail WHERE recipient IN (:r) AND state = 'SENT' AND sent_at > :since
                GROUP BY recipient""")
                .param("r", due.stream().map(Due::recipient).distinct().toList())
                .param("since", Timestamp.from(clock.instant().minus(Duration.ofHours(1))))
                .query((rs, n) -> sentLastHour.put(rs.getString(1), rs.getLong(2))).list();
        int sent = 0;
        Transport transport = null;
        try {
            transport = smtp.getSession().getTransport("smtp");
            // an empty SMTP_USER means no authentication, not an empty user name
            String user = smtp.getUsername() == null || smtp.getUsername().isBlank() ? null : smtp.getUsername();
            transport.connect(smtp.getHost(), smtp.getPort(), user, user == null ? null : smtp.getPassword());
            for (Due d : due) {
                if (overLimit(d, sentLastHour)) {
                    continue;
                }
                MimeMessage message;
                try {
                    message = message(d);
                } catch (RuntimeException | MessagingException e) {
                    // a template that cannot render is not fixed by retrying soon, but may be fixed by a vendor
                    failed(d, "cannot render: " + e.getMessage());
                    continue;
                }
                jdbc.sql("UPDATE mail SET state = 'SENDING', attempts = attempts + 1, next_attempt_at = :now "
                        + "WHERE id = :id AND state = 'PENDING'")
                        .param("now", Timestamp.from(clock.instant())).param("id", d.id()).update();
                try {
                    transport.sendMessage(message, message.getAllRecipients());
                } catch (jakarta.mail.SendFailedException e) {
                    // this address was refused, not the connection: the others still go
                    failed(d, "refused by the SMTP server: " + e.getMessage());
                    continue;
                }
                jdbc.sql("UPDATE mail SET state = 'SENT', sent_at = :now, subject = :subject, last_error = NULL "
                        + "WHERE id = :id")
                        .param("now", Timestamp.from(clock.instant())).param("subject", clip(message.getSubject(), 300))
                        .param("id", d.id()).update();
                meters.counter("marketbill.mail.sent", "type", d.type().name()).increment();
                sentLastHour.merge(d.recipient(), 1L, Long::sum);
                sent++;
            }
        } catch (MessagingException | RuntimeException e) {
            // SMTP is away or refused: what was not sent waits and is tried again
            String why = e.getClass().getSimpleName() + ": " + e.getMessage();
            // the mail being sent already counted its attempt; the others of the round count one now
            jdbc.sql("SELECT id, attempts + CASE WHEN state = 'SENDING' THEN 0 ELSE 1 END FROM mail "
                            + "WHERE id IN (:ids) AND state IN ('PENDING', 'SENDING') AND next_attempt_at <= :now")
                    .param("ids", due.stream().map(Due::id).toList()).param("now", Timestamp.from(clock.instant()))
                    .query((rs, n) -> Map.entry(rs.getLong(1), rs.getInt(2))).list()
                    .forEach(m -> retryLater(m.getKey(), m.getValue(), why));
            meters.counter("marketbill.mail.failed", "reason", e.getClass().getSimpleName()).increment();
            log.warn("sending mail failed, will retry: {}", why);
        } finally {
            if (transport != null) {
                try {
                    transport.close();
                } catch (MessagingException ignored) {
                    // the connection is gone anyway
                }
            }
        }
        return sent;
    }

    private MimeMessage message(Due d) throws MessagingException {
        Map<String, Object> facts = json.readValue(d.model(), new TypeReference<Map<String, Object>>() { });
        MailRenderer.Rendered r = renderer.render(d.type(), d.language(), d.productCode(), facts,
                links.optOutUrl(d.recipient()));
        String messageId = d.messageId();
        MimeMessage m = new MimeMessage(smtp.getSession()) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", messageId); // the same on every attempt
            }
        };
        MimeMessageHelper h = new MimeMessageHelper(m, true, "UTF-8");
        h.setFrom(props.from());
        h.setTo(new InternetAddress(d.recipient()));
        if (archive.address() != null) {
            h.setBcc(archive.address());
        }
        h.setSubject(r.subject());
        h.setText(r.text(), r.html());
        m.setHeader("Content-Language", d.language());
        if (!d.type().critical()) {
            m.setHeader("List-Unsubscribe", "<" + links.optOutUrl(d.recipient()) + ">");
        }
        m.saveChanges();
        return m;
    }

    private boolean overLimit(Due d, Map<String, Long> sentLastHour) {
        if (sentLastHour.getOrDefault(d.recipient(), 0L) < props.perRecipientPerHour()) {
            return false;
        }
        jdbc.sql("UPDATE mail SET next_attempt_at = :later, last_error = :why WHERE id = :id")
                .param("later", Timestamp.from(clock.instant().plus(Duration.ofMinutes(5))))
                .param("why", "waiting: " + props.perRecipientPerHour() + " mails to this address in the last hour")
                .param("id", d.id()).update();
        meters.counter("marketbill.mail.rate.limited").increment();
        return true;
    }

    /** @param tried the attempts made so far, this one included */
    private void retryLater(long id, int tried, String why) {
        if (tried >= props.maxAttempts()) {
            jdbc.sql("UPDATE mail SET state = 'DEAD', last_error = :why WHERE id = :id")
                    .param("why", clip("gave up after " + tried + " attempts: " + why, 500)).param("id", id).update();
            meters.counter("marketbill.mail.dead").increment();
            return;
        }
        Duration wait = props.initialBackoff().multipliedBy(1L << Math.min(20, tried - 1));
        if (wait.compareTo(props.maxBackoff()) > 0) {
            wait = props.maxBackoff();
        }
        jdbc.sql("UPDATE mail SET state = 'PENDING', attempts = :a, next_attempt_at = :next, last_error = :why WHERE id = :id")
                .param("a", tried).param("next", Timestamp.from(clock.instant().plus(wait)))
                .param("why", clip(why, 500)).param("id", id).update();
    }

    private void failed(Due d, String why) {
        retryLater(d.id(), d.attempts() + 1, why);
    }

    /** Sends rounds until nothing more is due now; returns how many were sent. */
    public int deliverAll() {
        int total = 0;
        int sent;
        do {
            sent = deliver();
            total += sent;
        } while (sent > 0);
        return total;
    }

    /** Mail cut off mid-send: looked up in the archive, else sent again. */
    private void settleInterrupted() {
        List<Map.Entry<Long, String>> interrupted = jdbc.sql(
                        "SELECT id, message_id FROM mail WHERE state = 'SENDING' AND next_attempt_at < :before")
                .param("before", Timestamp.from(clock.instant().minus(props.sendingTimeout())))
                .query((rs, n) -> Map.entry(rs.getLong(1), rs.getString(2))).list();
        for (Map.Entry<Long, String> m : interrupted) {
            Boolean taken = archive.contains(m.getValue());
            if (Boolean.TRUE.equals(taken)) {
                jdbc.sql("UPDATE mail SET state = 'SENT', sent_at = :now, last_error = 'found in the archive after an interrupted send' WHERE id = :id")
                        .param("now", Timestamp.from(clock.instant())).param("id", m.getKey()).update();
            } else if (taken == null && archive.address() != null) {
                continue; // the archive cannot be read right now: decide later rather than risk a duplicate
            } else {
                jdbc.sql("UPDATE mail SET state = 'PENDING', last_error = 'interrupted mid-send; sent again' WHERE id = :id")
                        .param("id", m.getKey()).update();
            }
        }
    }

    static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
