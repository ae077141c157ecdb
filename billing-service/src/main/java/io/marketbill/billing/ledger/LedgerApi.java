package io.marketbill.billing.ledger;

import io.marketbill.billing.BillingProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The ledger for operators: records by state and age, a summary, resending a record, and the gauges the
 * alerts watch (records by state, overdue, near the deadline, outcome unknown).
 */
@RestController
class LedgerApi {

    private static final Set<String> STATES = Set.of("PENDING", "SENT", "ACCEPTED", "REJECTED");

    private final JdbcClient jdbc;
    private final Clock clock;
    private final BillingProperties props;
    private final MeterRegistry meters;
    private final Map<String, AtomicLong> byState = new ConcurrentHashMap<>();
    private final AtomicLong overdue = new AtomicLong();
    private final AtomicLong nearDeadline = new AtomicLong();
    private final AtomicLong unknownOutcome = new AtomicLong();
    private final AtomicLong oldestPendingSeconds = new AtomicLong();

    LedgerApi(JdbcClient jdbc, Clock clock, BillingProperties props, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.props = props;
        this.meters = meters;
        Gauge.builder("marketbill.metering.overdue.records", overdue, AtomicLong::get)
                .description("Metering records that missed the marketplace's deadline (last 7 days)").register(meters);
        Gauge.builder("marketbill.metering.near.deadline", nearDeadline, AtomicLong::get)
                .description("Unsettled metering records due within marketbill.billing.near-deadline").register(meters);
        Gauge.builder("marketbill.metering.unknown.outcome", unknownOutcome, AtomicLong::get)
                .description("Metering records sent without an answer for longer than sent-timeout").register(meters);
        Gauge.builder("marketbill.metering.oldest.pending.seconds", oldestPendingSeconds, AtomicLong::get)
                .description("Age of the oldest unsettled metering record").register(meters);
    }

    @Scheduled(fixedDelayString = "${marketbill.billing.report-interval:10s}")
    void refreshGauges() {
        Instant now = clock.instant();
        Map<String, Long> counts = new LinkedHashMap<>();
        jdbc.sql("SELECT marketplace, state, COUNT(*) FROM metering_record GROUP BY marketplace, state")
                .query((rs, n) -> counts.put(rs.getString(1) + "|" + rs.getString(2), rs.getLong(3))).list();
        for (String m : List.of("aliyun", "aws")) {
            for (String s : STATES) {
                byState.computeIfAbsent(m + "|" + s, k -> {
                    AtomicLong v = new AtomicLong();
                    Gauge.builder("marketbill.metering.records", v, AtomicLong::get)
                            .description("Metering ledger records by marketplace and state")
                            .tag("marketplace", m).tag("state", s).register(meters);
                    return v;
                }).set(counts.getOrDefault(m + "|" + s, 0L));
            }
        }
        overdue.set(jdbc.sql("SELECT COUNT(*) FROM metering_record WHERE overdue AND (settled_at > :since OR state = 'SENT')")
                .param("since", Timestamp.from(now.minus(Duration.ofDays(7)))).query(Long.class).single());
        nearDeadline.set(jdbc.sql("SELECT COUNT(*) FROM metering_record WHERE state IN ('PENDING', 'SENT') AND deadline < :soon")
                .param("soon", Timestamp.from(now.plus(props.nearDeadline()))).query(Long.class).single());
        unknownOutcome.set(jdbc.sql("SELECT COUNT(*) FROM metering_record WHERE state = 'SENT' AND sent_at < :before")
                .param("before", Timestamp.from(now.minus(props.sentTimeout()))).query(Long.class).single());
        oldestPendingSeconds.set(jdbc.sql("""
                SELECT COALESCE(EXTRACT(EPOCH FROM (:now - MIN(created_at))), 0)::BIGINT FROM metering_record
                WHERE state IN ('PENDING', 'SENT')""").param("now", Timestamp.from(now)).query(Long.class).single());
    }

    @GetMapping("/api/billing/ledger")
    ResponseEntity<?> records(@RequestParam(required = false) String state,
                              @RequestParam(required = false) String subscriptionId,
                              @RequestParam(required = false) String marketplace,
                              @RequestParam(defaultValue = "false") boolean overdueOnly,
                              @RequestParam(defaultValue = "100") int limit) {
        if (state != null && !STATES.contains(state)) {
            return ResponseEntity.badRequest().body(Map.of("error", "bad_state", "message",
                    "state must be one of " + STATES));
        }
        if (limit < 1 || limit > 1000) {
            return ResponseEntity.badRequest().body(Map.of("error", "bad_limit", "message", "limit must be 1..1000"));
        }
        List<Map<String, Object>> rows = jdbc.sql("""
                SELECT * FROM metering_record
                WHERE (CAST(:state AS VARCHAR) IS NULL OR state = :state)
                  AND (CAST(:sub AS VARCHAR) IS NULL OR subscription_id = :sub)
                  AND (CAST(:m AS VARCHAR) IS NULL OR marketplace = :m)
                  AND (NOT :overdue OR overdue)
                ORDER BY hour_start DESC, id DESC LIMIT :limit""")
                .param("state", state).param("sub", subscriptionId).param("m", marketplace).param("overdue", overdueOnly)
                .param("limit", limit).query((rs, n) -> LedgerRows.toMap(rs, clock.instant())).list();
        return ResponseEntity.ok(Map.of("records", rows));
    }

    @GetMapping("/api/billing/ledger/summary")
    Map<String, Object> summary() {
        refreshGauges();
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Long> states = new LinkedHashMap<>();
        byState.forEach((k, v) -> states.put(k.replace('|', '.'), v.get()));
        out.put("records", states);
        out.put("overdueLast7Days", overdue.get());
        out.put("nearDeadline", nearDeadline.get());
        out.put("unknownOutcome", unknownOutcome.get());
        out.put("oldestUnsettledSeconds", oldestPendingSeconds.get());
        return out;
    }

    /**
     * Sends a record again: a REJECTED one (e.g. after fixing the catalog or the customer's subscription) or
     * one whose outcome is unknown. Refused past its deadline, since the marketplace would refuse it too.
     */
    @PostMapping("/api/billing/ledger/{id}/resend")
    ResponseEntity<?> resend(@PathVariable long id) {
        Instant now = clock.instant();
        int changed = jdbc.sql("""
                UPDATE metering_record SET state = 'PENDING', next_attempt_at = :now, overdue = FALSE,
                    last_error = 'resent by an operator', settled_at = NULL
                WHERE id = :id AND state IN ('REJECTED', 'SENT') AND deadline > :now""")
                .param("id", id).param("now", Timestamp.from(now)).update();
        if (changed > 0) {
            return ResponseEntity.accepted().body(Map.of("id", id, "state", "PENDING"));
        }
        return jdbc.sql("SELECT state, deadline FROM metering_record WHERE id = :id").param("id", id)
                .query((rs, n) -> ResponseEntity.status(HttpStatus.CONFLICT).body((Object) Map.of("error", "not_resendable",
                        "message", "record " + id + " is " + rs.getString(1) + " with deadline "
                                + rs.getTimestamp(2).toInstant() + "; only REJECTED or SENT records before their deadline are sent again")))
                .optional().orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND)
                        .body(Map.of("error", "not_found", "message", "no ledger record " + id)));
    }
}
