package io.marketbill.billing.usage;

import io.marketbill.billing.BillingProperties;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Forgets (source, id) pairs after the dedupe window (32 days by default) and refusals after 90 days, in
 * small batches so the intake is never blocked; shows refused usage with its reasons.
 */
@RestController
class UsageRetention {

    private final JdbcClient jdbc;
    private final Clock clock;
    private final BillingProperties props;

    UsageRetention(JdbcClient jdbc, Clock clock, BillingProperties props) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.props = props;
    }

    @Scheduled(fixedDelayString = "PT10M", initialDelayString = "PT1M")
    void purge() {
        Instant now = clock.instant();
        int deleted;
        do {
            deleted = jdbc.sql("""
                    DELETE FROM usage_event_seen WHERE ctid IN (SELECT ctid FROM usage_event_seen
                        WHERE received_at < :before LIMIT 10000)""")
                    .param("before", Timestamp.from(now.minus(props.dedupeWindow()))).update();
        } while (deleted == 10000);
        jdbc.sql("DELETE FROM usage_rejection WHERE received_at < :before")
                .param("before", Timestamp.from(now.minus(Duration.ofDays(90)))).update();
    }

    @GetMapping("/api/billing/usage/rejections")
    ResponseEntity<?> rejections(@RequestParam(defaultValue = "100") int limit) {
        if (limit < 1 || limit > 1000) {
            return ResponseEntity.badRequest().body(Map.of("error", "bad_limit", "message", "limit must be 1..1000"));
        }
        Map<String, Long> byReason = new LinkedHashMap<>();
        jdbc.sql("SELECT reason, COUNT(*) FROM usage_rejection GROUP BY reason ORDER BY 2 DESC")
                .query((rs, n) -> byReason.put(rs.getString(1), rs.getLong(2))).list();
        List<Map<String, Object>> recent = jdbc.sql("SELECT * FROM usage_rejection ORDER BY seq DESC LIMIT :limit")
                .param("limit", limit)
                .query((rs, n) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("source", rs.getString("source"));
                    m.put("id", rs.getString("event_id"));
                    m.put("reason", rs.getString("reason"));
                    m.put("message", rs.getString("message"));
                    Timestamp t = rs.getTimestamp("event_time");
                    m.put("time", t == null ? null : t.toInstant());
                    m.put("receivedAt", rs.getTimestamp("received_at").toInstant());
                    return m;
                }).list();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("byReason", byReason);
        out.put("recent", recent);
        return ResponseEntity.ok(out);
    }
}
