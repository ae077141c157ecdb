package io.marketbill.billing.balance;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** All the SQL of the balance: usage in, where it went, and the rated hours and ledger of the money law. */
@Component
class BalanceStore {

    private final JdbcClient jdbc;

    BalanceStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The hours that are closed and were attributed: [attributed_from, closed_through). */
    Optional<Instant[]> attributedHours() {
        return jdbc.sql("SELECT attributed_from, closed_through FROM hour_closing WHERE id = 1")
                .query((rs, n) -> new Instant[] {
                        rs.getTimestamp(1) == null ? Instant.EPOCH : rs.getTimestamp(1).toInstant(),
                        rs.getTimestamp(2).toInstant()})
                .optional();
    }

    /** The subject's closed hours between {@code from} and {@code to}, one bucket per dimension and hour. */
    List<BalanceRules.Bucket> buckets(String subject, Instant from, Instant to) {
        // hour|dimension -> input, reported, pending, refused, notChargeable, moved in, switch window
        Map<String, long[]> sums = new TreeMap<>();
        Map<String, Map<String, Long>> vendor = new TreeMap<>();
        jdbc.sql("""
                SELECT dimension, date_trunc('hour', minute_start), SUM(quantity_micros) FROM usage_minute
                WHERE subject = :s AND minute_start >= :from AND minute_start < :to GROUP BY 1, 2""")
                .param("s", subject).param("from", Timestamp.from(from)).param("to", Timestamp.from(to))
                .query((rs, n) -> sums.computeIfAbsent(key(rs.getString(1), rs.getTimestamp(2).toInstant()),
                        k -> new long[7])[0] += rs.getLong(3)).list();
        jdbc.sql("""
                SELECT dimension, date_trunc('hour', charged_at), SUM(quantity_micros) FROM switch_window_usage
                WHERE subject = :s AND state = 'CHARGED' AND charged_at >= :from AND charged_at < :to GROUP BY 1, 2""")
                .param("s", subject).param("from", Timestamp.from(from)).param("to", Timestamp.from(to))
                .query((rs, n) -> sums.computeIfAbsent(key(rs.getString(1), rs.getTimestamp(2).toInstant()),
                        k -> new long[7])[5] += rs.getLong(3)).list();
        jdbc.sql("""
                SELECT a.dimension, a.hour_start, a.outcome, a.reason, a.quantity_micros, r.state
                FROM hour_attribution a LEFT JOIN metering_record r ON a.outcome = 'BILLED'
                    AND r.subscription_id = a.subscription_id AND r.dimension = a.dimension
                    AND r.hour_start = a.hour_start
                WHERE a.subject = :s AND a.hour_start >= :from AND a.hour_start < :to""")
                .param("s", subject).param("from", Timestamp.from(from)).param("to", Timestamp.from(to))
                .query((rs, n) -> {
                    String k = key(rs.getString(1), rs.getTimestamp(2).toInstant());
                    long[] v = sums.computeIfAbsent(k, x -> new long[7]);
                    long micros = rs.getLong(5);
                    switch (rs.getString(3)) {
                        case "BILLED" -> {
                            String state = rs.getString(6);
                            // an hour charged nothing has no ledger record on Alibaba: nothing to report, nothing lost
                            v["REJECTED".equals(state) ? 3
                                    : state == null || "ACCEPTED".equals(state) ? 1 : 2] += micros;
                        }
                        case "NOT_CHARGEABLE" -> v[4] += micros;
                        case "SWITCH_WINDOW" -> v[6] += micros;
                        default -> vendor.computeIfAbsent(k, x -> new TreeMap<>()).merge(rs.getString(4), micros,
                                Long::sum);
                    }
                    return k;
                }).list();
        List<BalanceRules.Bucket> out = new ArrayList<>();
        sums.forEach((k, v) -> {
            String[] parts = k.split("\\|", 2);
            out.add(new BalanceRules.Bucket(parts[1], Instant.parse(parts[0]), v[0], v[5], v[1], v[2], v[3], v[4],
                    vendor.getOrDefault(k, Map.of()), v[6]));
        });
        return out;
    }

    /** The end of the last hour the subject's usage was attributed in (a final flush rates before the hour closes). */
    Optional<Instant> attributedThrough(String subject) {
        return jdbc.sql("SELECT MAX(hour_start) FROM hour_attribution WHERE subject = :s").param("s", subject)
                .query((rs, n) -> rs.getTimestamp(1) == null ? null : rs.getTimestamp(1).toInstant().plusSeconds(3600))
                .optional();
    }

    /** The subscriptions the subject's usage was billed to in those hours. */
    List<String> billedTo(String subject, Instant from, Instant to) {
        return jdbc.sql("""
                SELECT DISTINCT subscription_id FROM hour_attribution
                WHERE subject = :s AND outcome = 'BILLED' AND hour_start >= :from AND hour_start < :to
                ORDER BY 1""")
                .param("s", subject).param("from", Timestamp.from(from)).param("to", Timestamp.from(to))
                .query(String.class).list();
    }

    /** A subscription's rated hours per dimension, summed, with the ledger's units of the same hours. */
    List<BalanceRules.Money> money(String subscriptionId, Instant from, Instant to) {
        Map<String, BalanceRules.Money> out = new LinkedHashMap<>();
        jdbc.sql("""
                SELECT h.dimension,
                    (SELECT carry_in FROM rated_hour f WHERE f.subscription_id = h.subscription_id
                        AND f.dimension = h.dimension AND f.hour_start >= :from AND f.hour_start < :to
                        ORDER BY f.hour_start LIMIT 1),
                    COALESCE(SUM(h.cost), 0), SUM(h.units),
                    (SELECT carry_out FROM rated_hour l WHERE l.subscription_id = h.subscription_id
                        AND l.dimension = h.dimension AND l.hour_start >= :from AND l.hour_start < :to
                        ORDER BY l.hour_start DESC LIMIT 1),
                    (SELECT COALESCE(SUM(r.units), 0) FROM metering_record r WHERE r.subscription_id = h.subscription_id
                        AND r.dimension = h.dimension AND r.hour_start >= :from AND r.hour_start < :to),
                    BOOL_AND(h.cost IS NOT NULL)
                FROM rated_hour h WHERE h.subscription_id = :s AND h.hour_start >= :from AND h.hour_start < :to
                GROUP BY h.subscription_id, h.dimension ORDER BY h.dimension""")
                .param("s", subscriptionId).param("from", Timestamp.from(from)).param("to", Timestamp.from(to))
                .query((rs, n) -> out.put(rs.getString(1), new BalanceRules.Money(subscriptionId, rs.getString(1),
                        rs.getBigDecimal(2), rs.getBigDecimal(3), rs.getLong(4), rs.getBigDecimal(5), rs.getLong(6),
                        rs.getBoolean(7)))).list();
        return List.copyOf(out.values());
    }

    private static String key(String dimension, Instant hour) {
        return hour + "|" + dimension;
    }

    static BigDecimal micros(long micros) {
        return BigDecimal.valueOf(micros, 6).stripTrailingZeros();
    }
}
