package io.marketbill.billing.ledger;

import io.marketbill.billing.catalog.Money;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** A ledger row as the APIs show it. */
public final class LedgerRows {

    private LedgerRows() {
    }

    public static Map<String, Object> toMap(ResultSet rs, Instant now) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", rs.getLong("id"));
        m.put("subscriptionId", rs.getString("subscription_id"));
        m.put("marketplace", rs.getString("marketplace"));
        m.put("productCode", rs.getString("product_code"));
        m.put("dimension", rs.getString("dimension"));
        m.put("hourStart", rs.getTimestamp("hour_start").toInstant());
        m.put("units", rs.getLong("units"));
        m.put("unitValue", rs.getBigDecimal("unit_value").stripTrailingZeros().toPlainString());
        m.put("yuan", Money.yuan(rs.getLong("units"), rs.getBigDecimal("unit_value")).toPlainString());
        m.put("state", rs.getString("state"));
        m.put("attempts", rs.getInt("attempts"));
        m.put("deadline", rs.getTimestamp("deadline").toInstant());
        m.put("overdue", rs.getBoolean("overdue"));
        Instant created = rs.getTimestamp("created_at").toInstant();
        m.put("createdAt", created);
        m.put("ageSeconds", Duration.between(created, now).toSeconds());
        m.put("sentAt", instant(rs.getTimestamp("sent_at")));
        m.put("settledAt", instant(rs.getTimestamp("settled_at")));
        m.put("lastError", rs.getString("last_error"));
        m.put("marketplaceRecordId", rs.getString("marketplace_record_id"));
        return m;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
