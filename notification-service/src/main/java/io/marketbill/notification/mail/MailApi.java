package io.marketbill.notification.mail;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/**
 * Mail for operators (through the gateway): the send log by state, resending dead mail, template previews;
 * and the opt-out link of optional mail for recipients.
 */
@RestController
class MailApi {

    private static final Set<String> STATES = Set.of("PENDING", "SENDING", "SENT", "DEAD", "SKIPPED");

    private final JdbcClient jdbc;
    private final MailRenderer renderer;
    private final OptOutLinks links;
    private final Clock clock;
    private final MailPlanner planner;

    MailApi(JdbcClient jdbc, MailRenderer renderer, OptOutLinks links, Clock clock, MailPlanner planner) {
        this.jdbc = jdbc;
        this.renderer = renderer;
        this.links = links;
        this.clock = clock;
        this.planner = planner;
    }

    @GetMapping("/api/notifications/mails")
    ResponseEntity<?> mails(@RequestParam(required = false) String state, @RequestParam(required = false) String recipient,
                            @RequestParam(required = false) String type, @RequestParam(defaultValue = "100") int limit) {
        if (state != null && !STATES.contains(state)) {
            return ResponseEntity.badRequest().body(Map.of("error", "bad_state", "message", "state must be one of " + STATES));
        }
        List<Map<String, Object>> rows = jdbc.sql("""
                SELECT * FROM mail WHERE (CAST(:state AS VARCHAR) IS NULL OR state = :state)
                  AND (CAST(:to AS VARCHAR) IS NULL OR recipient = :to)
                  AND (CAST(:type AS VARCHAR) IS NULL OR mail_type = :type)
                ORDER BY id DESC LIMIT :limit""")
                .param("state", state).param("to", recipient).param("type", type)
                .param("limit", Math.max(1, Math.min(limit, 1000)))
                .query((rs, n) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", rs.getLong("id"));
                    m.put("eventId", rs.getString("event_id"));
                    m.put("recipient", rs.getString("recipient"));
                    m.put("type", rs.getString("mail_type"));
                    m.put("language", rs.getString("language"));
                    m.put("critical", rs.getBoolean("critical"));
                    m.put("state", rs.getString("state"));
                    m.put("attempts", rs.getInt("attempts"));
                    m.put("subject", rs.getString("subject"));
                    m.put("lastError", rs.getString("last_error"));
                    m.put("createdAt", rs.getTimestamp("created_at").toInstant());
                    Timestamp sent = rs.getTimestamp("sent_at");
                    m.put("sentAt", sent == null ? null : sent.toInstant());
                    return m;
                }).list();
        return ResponseEntity.ok(Map.of("mails", rows));
    }

    @GetMapping("/api/notifications/mails/summary")
    Map<String, Object> summary() {
        Map<String, Long> byState = new LinkedHashMap<>();
        STATES.stream().sorted().forEach(s -> byState.put(s, 0L));
        jdbc.sql("SELECT state, COUNT(*) FROM mail GROUP BY state")
                .query((rs, n) -> byState.put(rs.getString(1), rs.getLong(2))).list();
        return Map.of("byState", byState, "awaitingDirectory", planner.awaitingDirectory());
    }

    /**
     * The organizations whose billing events wait for an admin to reach this copy of the directory (see
     * {@code MailPlanner}): normally empty within seconds; an entry that stays means an organization without an admin.
     */
    @GetMapping("/api/notifications/awaiting-directory")
    Map<String, Object> awaitingDirectory() {
        return Map.of("organizations", jdbc.sql("""
                        SELECT organization_id, COUNT(*), MIN(created_at) FROM mail_awaiting_directory
                        GROUP BY organization_id ORDER BY MIN(created_at) LIMIT 500""")
                .query((rs, n) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("organizationId", rs.getString(1));
                    m.put("events", rs.getLong(2));
                    m.put("waitingSince", rs.getTimestamp(3).toInstant());
                    return m;
                }).list());
    }

    /** A DEAD (or SKIPPED) mail goes again, with a fresh set of attempts. */
    @PostMapping("/api/notifications/mails/{id}/resend")
    ResponseEntity<?> resend(@PathVariable long id) {
        int changed = jdbc.sql("""
                UPDATE mail SET state = 'PENDING', attempts = 0, next_attempt_at = :now, last_error = 'resent by an operator'
                WHERE id = :id AND state IN ('DEAD', 'SKIPPED')""")
                .param("now", Timestamp.from(clock.instant())).param("id", id).update();
        if (changed > 0) {
            return ResponseEntity.accepted().body(Map.of("id", id, "state", "PENDING"));
        }
        return jdbc.sql("SELECT state FROM mail WHERE id = :id").param("id", id).query(String.class).optional()
                .<ResponseEntity<?>>map(s -> ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", "not_resendable",
                        "message", "mail " + id + " is " + s + "; only DEAD or SKIPPED mail is sent again")))
                .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND)
                        .body(Map.of("error", "not_found", "message", "no mail " + id)));
    }

    /** Any template with sample data: {@code format=html} (default) or {@code text} (subject first). */
    @GetMapping("/api/notifications/templates/{type}/preview")
    ResponseEntity<?> preview(@PathVariable String type, @RequestParam(defaultValue = "zh-CN") String language,
                              @RequestParam(required = false) String product,
                              @RequestParam(defaultValue = "html") String format) {
        MailType t;
        try {
            t = MailType.valueOf(type.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return ResponseEntity.badRequest().body(Map.of("error", "unknown_type", "message",
                    "type must be one of " + java.util.Arrays.toString(MailType.values())));
        }
        if (!language.equals("zh-CN") && !language.equals("en")) {
            return ResponseEntity.badRequest().body(Map.of("error", "unknown_language", "message", "zh-CN or en"));
        }
        MailRenderer.Rendered r = renderer.render(t, language, product, SampleFacts.of(t),
                links.optOutUrl("someone@example.com"));
        if ("text".equals(format)) {
            return ResponseEntity.ok().contentType(new MediaType("text", "plain", java.nio.charset.StandardCharsets.UTF_8))
                    .body("Subject: " + r.subject() + "\n\n" + r.text());
        }
        return ResponseEntity.ok().contentType(new MediaType("text", "html", java.nio.charset.StandardCharsets.UTF_8))
                .body(r.html());
    }

    /** The link in optional mail: a page with a button (mail scanners follow links; only the button opts out). */
    @GetMapping(value = "/notifications/opt-out", produces = "text/html;charset=UTF-8")
    ResponseEntity<String> optOutPage(@RequestParam(required = false) String email, @RequestParam(required = false) String sig) {
        if (!links.valid(email, sig)) {
            return ResponseEntity.status(HttpStatus.FORBIDDEN).body(page("This link is not valid. / 链接无效。"));
        }
        String e = HtmlUtils.htmlEscape(email);
        return ResponseEntity.ok(page("<p>Stop optional mail to " + e + "? Billing-critical mail (freezing, deletion, "
                + "billing changes) is always sent.<br>不再向 " + e + " 发送可选邮件？计费相关的重要邮件仍会发送。</p>"
                + "<form method=\"post\"><input type=\"hidden\" name=\"email\" value=\"" + e + "\">"
                + "<input type=\"hidden\" name=\"sig\" value=\"" + HtmlUtils.htmlEscape(sig) + "\">"
                + "<button type=\"submit\">Unsubscribe / 退订</button></form>"));
    }

    /** The button, and RFC 8058 one-click unsubscribe from mail clients. */
    @PostMapping(value = "/notifications/opt-out", produces = "text/html;charset=UTF-8")
    ResponseEntity<String> optOut(@RequestParam(required = false) String email, @RequestParam(required = false) String sig) {
        if (!links.valid(email, sig)) {
            return ResponseEntity.status(HttpStatus.FORBIDDEN).body(page("This link is not valid. / 链接无效。"));
        }
        jdbc.sql("INSERT INTO mail_opt_out (email, opted_out_at) VALUES (:e, :at) ON CONFLICT DO NOTHING")
                .param("e", email.toLowerCase(Locale.ROOT)).param("at", Timestamp.from(clock.instant())).update();
        return ResponseEntity.ok(page("<p>Done: no more optional mail to " + HtmlUtils.htmlEscape(email)
                + ".<br>已退订可选邮件。</p>"));
    }

    private static String page(String body) {
        return "<!doctype html><html><head><meta charset=\"utf-8\"><title>Mail / 邮件</title></head><body>" + body
                + "</body></html>";
    }
}
