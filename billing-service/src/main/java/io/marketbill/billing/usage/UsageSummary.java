package io.marketbill.billing.usage;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** What the intake took: events and quantities per hour and dimension, for operators and reconciling tests. */
@RestController
class UsageSummary {

    private final JdbcClient jdbc;

    UsageSummary(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @GetMapping("/api/billing/usage/summary")
    Map<String, Object> summary(@RequestParam(required = false) String subject) {
        List<Map<String, Object>> hours = jdbc.sql("""
                SELECT subject, dimension, date_trunc('hour', minute_start) AS hour, SUM(events), SUM(quantity_micros)
                FROM usage_minute WHERE (CAST(:subject AS VARCHAR) IS NULL OR subject = :subject)
                GROUP BY subject, dimension, hour ORDER BY hour, subject, dimension LIMIT 10000""")
                .param("subject", subject)
                .query((rs, n) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("subject", rs.getString(1));
                    m.put("dimension", rs.getString(2));
                    m.put("hourStart", rs.getTimestamp(3).toInstant());
                    m.put("events", rs.getLong(4));
                    m.put("quantityMicros", rs.getLong(5));
                    return m;
                }).list();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("acceptedEvents", jdbc.sql("SELECT COALESCE(SUM(events), 0) FROM usage_minute").query(Long.class).single());
        out.put("rejectedEvents", jdbc.sql("SELECT COUNT(*) FROM usage_rejection").query(Long.class).single());
        out.put("hours", hours);
        return out;
    }
}
