package io.marketbill.billing.ledger;

import io.marketbill.billing.catalog.Money;
import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.EventPayload;
import io.marketbill.contracts.MeteringRejected;
import io.marketbill.contracts.MeteringReported;
import io.marketbill.contracts.UsageForVendorBilling;
import io.marketbill.messaging.outbox.Outbox;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Settles a SENT ledger record, each change with its billing.v1 event in the same transaction. Only a SENT
 * record moves, so a late answer cannot undo a decision already taken.
 */
@Component
public class LedgerSettlement {

    private record Row(String subscriptionId, String dimension, Instant hour, long units, BigDecimal unitValue) {
        String amount() {
            return Money.yuan(units, unitValue).toPlainString();
        }
    }

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final Outbox outbox;

    LedgerSettlement(JdbcClient jdbc, TransactionTemplate tx, Clock clock, Outbox outbox) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
        this.outbox = outbox;
    }

    /** The marketplace took it. */
    public boolean accepted(long id, String marketplaceRecordId) {
        return Boolean.TRUE.equals(tx.execute(status -> jdbc.sql("""
                UPDATE metering_record SET state = 'ACCEPTED', settled_at = :now, marketplace_record_id = :ref,
                    last_error = NULL WHERE id = :id AND state = 'SENT'
                RETURNING subscription_id, dimension, hour_start, units, unit_value""")
                .param("now", Timestamp.from(clock.instant())).param("ref", marketplaceRecordId).param("id", id)
                .query((rs, n) -> row(rs)).optional()
                .map(r -> publish(id, r.subscriptionId(), new MeteringReported(id, r.dimension(), r.hour(), r.units(),
                        marketplaceRecordId, r.amount())))
                .isPresent()));
    }

    /** The marketplace refused it for good. */
    public boolean rejected(long id, String reason) {
        String why = clip(reason);
        return Boolean.TRUE.equals(tx.execute(status -> jdbc.sql("""
                UPDATE metering_record SET state = 'REJECTED', settled_at = :now, last_error = :why
                WHERE id = :id AND state = 'SENT'
                RETURNING subscription_id, dimension, hour_start, units, unit_value""")
                .param("now", Timestamp.from(clock.instant())).param("why", why).param("id", id)
                .query((rs, n) -> row(rs)).optional()
                .map(r -> publish(id, r.subscriptionId(), new MeteringRejected(id, r.dimension(), r.hour(), r.units(), why,
                        r.amount())) && handOff(id, r.subscriptionId(), r.dimension(), r.hour(), r.amount(),
                        "MARKETPLACE_REFUSED"))
                .isPresent()));
    }

    /**
     * A record refused for good (or past its deadline) is money no marketplace will collect: the usage behind it goes
     * to the vendor's own billing (UsageForVendorBilling, {@code MARKETPLACE_REFUSED} or {@code OVERDUE}), with the
     * record's amount; the organization is named when the usage was one organization's. In the caller's transaction.
     */
    boolean handOff(long id, String subscriptionId, String dimension, Instant hour, String amount, String reason) {
        List<String> subjects = new java.util.ArrayList<>();
        long micros = jdbc.sql("""
                SELECT subject, quantity_micros FROM hour_attribution WHERE subscription_id = :s AND dimension = :d
                    AND hour_start = :h AND outcome = 'BILLED'""")
                .param("s", subscriptionId).param("d", dimension).param("h", Timestamp.from(hour))
                .query((rs, n) -> {
                    subjects.add(rs.getString(1));
                    return rs.getLong(2);
                }).list().stream().mapToLong(Long::longValue).sum();
        String organization = subjects.size() == 1 && subjects.get(0).startsWith("org:")
                ? subjects.get(0).substring(4) : null;
        return publish(id, subscriptionId, new UsageForVendorBilling(organization, subscriptionId, dimension, hour,
                BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString(), amount, reason, null));
    }

    /** Back to PENDING, to be sent at {@code at} (the same values again). */
    public boolean sendAgain(long id, String why, Instant at) {
        return tx.execute(status -> jdbc.sql("""
                UPDATE metering_record SET state = 'PENDING', next_attempt_at = :at, last_error = :why
                WHERE id = :id AND state = 'SENT'""")
                .param("at", Timestamp.from(at)).param("why", clip(why)).param("id", id).update()) > 0;
    }

    /**
     * Records of a call refused as a whole for what one of them carries: back to PENDING, each to be sent in a call
     * of its own from now on, so that the marketplace's answer names the bad one.
     */
    void sendAlone(List<Long> ids, String why) {
        tx.executeWithoutResult(status -> jdbc.sql("""
                UPDATE metering_record SET state = 'PENDING', send_alone = TRUE, next_attempt_at = :now,
                    last_error = :why WHERE id IN (:ids) AND state = 'SENT'""")
                .param("now", Timestamp.from(clock.instant())).param("why", clip(why)).param("ids", ids).update());
    }

    public boolean sendAgain(long id, String why) {

        return sendAgain(id, why, clock.instant());
    }

    /** Appends a billing.v1 event about a ledger record, with an id derived from it, in the caller's transaction. */
    boolean publish(long ledgerId, String subscriptionId, EventPayload event) {
        UUID eventId = UUID.nameUUIDFromBytes((event.getClass().getSimpleName() + "|" + ledgerId)
                .getBytes(StandardCharsets.UTF_8));
        outbox.append(EventEnvelope.of(eventId, clock.instant(), "billing-service", subscriptionId, event));
        return true;
    }

    private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Row(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(), rs.getLong(4),
                rs.getBigDecimal(5));
    }

    static String clip(String s) {
        return s == null ? null : s.length() > 300 ? s.substring(0, 300) : s;
    }
}
