package io.marketbill.billing.rating;

import io.marketbill.billing.ledger.MeteringReporter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Rated and unbilled hours, and a button for operators to run closing and reporting now. */
@RestController
class HoursApi {

    private final JdbcClient jdbc;
    private final HourClosing closing;
    private final MeteringReporter reporter;
    private final io.marketbill.messaging.exclusive.ExclusiveRuns exclusive;

    HoursApi(JdbcClient jdbc, HourClosing closing, MeteringReporter reporter,
             io.marketbill.messaging.exclusive.ExclusiveRuns exclusive) {
        this.exclusive = exclusive;
        this.jdbc = jdbc;
        this.closing = closing;
        this.reporter = reporter;
    }

    /**
     * Closes what is due, flushes closed subscriptions and sends the ledger, without waiting for the schedulers.
     * With {@code through} (an hour boundary, only when early closing is allowed) hours still in their late
     * window are closed too: for everyone, or with {@code subscriptionId} rated for that subscription only.
     */
    @PostMapping("/api/billing/hours/close")
    ResponseEntity<Map<String, Object>> closeNow(@RequestParam(required = false) String through,
                                                 @RequestParam(required = false) String subscriptionId) {
        return exclusive.runExclusively("billing.hour-closing", () -> exclusive.runExclusively(
                        "billing.metering-reporter", () -> closeAndReport(through, subscriptionId))
                .orElseGet(() -> busy()))
                .orElseGet(() -> busy());
    }

    private ResponseEntity<Map<String, Object>> busy() {
        return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", "busy", "message",
                "another replica is closing hours or sending the ledger right now; try again"));
    }

    private ResponseEntity<Map<String, Object>> closeAndReport(String through, String subscriptionId) {
        if (subscriptionId != null && through == null) {
            return ResponseEntity.badRequest().body(Map.of("error", "bad_through", "message",
                    "closing one subscription's hours early needs through=<hour boundary>"));
        }
        int flushed = closing.flushClosedSubscriptions();
        int closed;
        if (through == null) {
            closed = closing.closeDueHours();
        } else {
            try {
                closed = subscriptionId == null ? closing.closeEarly(Instant.parse(through))
                        : closing.closeEarly(subscriptionId, Instant.parse(through));
            } catch (java.time.format.DateTimeParseException | IllegalArgumentException e) {
                return ResponseEntity.badRequest().body(Map.of("error", "bad_through", "message",
                        "through must be an hour boundary like 2026-11-23T09:00:00Z"));
            } catch (IllegalStateException e) {
                return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", "early_close_disabled",
                        "message", e.getMessage()));
            }
        }
        reporter.report();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("hoursClosed", closed);
        out.put("subscriptionHoursFlushed", flushed);
        out.put("closedThrough", jdbc.sql("SELECT closed_through FROM hour_closing WHERE id = 1")
                .query((rs, n) -> rs.getTimestamp(1).toInstant()).optional().orElse(null));
        return ResponseEntity.ok(out);
    }

    @GetMapping("/api/billing/hours")
    Map<String, Object> rated(@RequestParam String subscriptionId, @RequestParam(defaultValue = "48") int limit) {
        List<Map<String, Object>> rows = jdbc.sql("""
                SELECT * FROM rated_hour WHERE subscription_id = :s ORDER BY hour_start DESC, dimension LIMIT :limit""")
                .param("s", subscriptionId).param("limit", Math.max(1, Math.min(limit, 1000)))
                .query((rs, n) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("hourStart", rs.getTimestamp("hour_start").toInstant());
                    m.put("dimension", rs.getString("dimension"));
                    m.put("quantity", rs.getBigDecimal("quantity_micros").movePointLeft(6).stripTrailingZeros().toPlainString());
                    m.put("units", rs.getLong("units"));
                    m.put("carryIn", rs.getBigDecimal("carry_in").stripTrailingZeros().toPlainString());
                    m.put("carryOut", rs.getBigDecimal("carry_out").stripTrailingZeros().toPlainString());
                    m.put("priceVersion", rs.getString("price_version"));
                    m.put("trial", rs.getBoolean("trial"));
                    return m;
                }).list();
        return Map.of("subscriptionId", subscriptionId, "hours", rows);
    }

    @GetMapping("/api/billing/unbilled")
    Map<String, Object> unbilled(@RequestParam(required = false) String organizationId,
                                 @RequestParam(required = false) String subscriptionId) {
        String subject = organizationId != null ? "org:" + organizationId : subscriptionId != null ? "sub:" + subscriptionId : null;
        List<Map<String, Object>> rows = jdbc.sql("""
                SELECT * FROM unbilled_hour WHERE (CAST(:subject AS VARCHAR) IS NULL OR subject = :subject)
                ORDER BY hour_start DESC, subject, dimension LIMIT 1000""")
                .param("subject", subject)
                .query((rs, n) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("subject", rs.getString("subject"));
                    m.put("dimension", rs.getString("dimension"));
                    m.put("hourStart", rs.getTimestamp("hour_start").toInstant());
                    m.put("reason", rs.getString("reason"));
                    m.put("quantity", rs.getBigDecimal("quantity_micros").movePointLeft(6).stripTrailingZeros().toPlainString());
                    return m;
                }).list();
        return Map.of("unbilled", rows);
    }
}
