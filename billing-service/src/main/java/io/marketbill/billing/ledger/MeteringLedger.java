package io.marketbill.billing.ledger;

import io.marketbill.billing.BillingProperties;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The metering ledger: what must reach each marketplace, one record per subscription, dimension and hour,
 * moving PENDING → SENT → ACCEPTED or REJECTED. A record's value never changes once written, so every
 * retry sends identical values (AWS deduplicates identical records; a different quantity for the same
 * customer, dimension and hour would be a DuplicateRecord).
 */
@Component
public class MeteringLedger {

    private final JdbcClient jdbc;
    private final BillingProperties props;
    private final Clock clock;
    private final io.marketbill.billing.catalog.PriceCatalog catalog;

    MeteringLedger(JdbcClient jdbc, BillingProperties props, Clock clock, io.marketbill.billing.catalog.PriceCatalog catalog) {
        this.jdbc = jdbc;
        this.props = props;
        this.clock = clock;
        this.catalog = catalog;
    }

    /** Whether an hour with nothing to charge is still sent to this marketplace. */
    public boolean reportsZeroHours(String marketplace) {
        return "aws".equals(marketplace) ? props.aws().reportZeroHours() : props.aliyun().reportZeroHours();
    }

    /**
     * Adds a PENDING record, in the caller's transaction; a second one for the same hour is ignored. The unit
     * value (yuan per unit) is kept with it, so its amount stays what it was when it was rated.
     */
    public void add(String subscriptionId, String marketplace, String productCode, String dimension, Instant hour,
                    long units, BigDecimal unitValue) {
        Duration deadline = "aws".equals(marketplace) ? props.aws().deadline(catalog.awsAccount(productCode))
                : props.aliyun().deadline();
        Instant now = clock.instant();
        jdbc.sql("""
                INSERT INTO metering_record (subscription_id, marketplace, product_code, dimension, hour_start, units,
                    state, next_attempt_at, deadline, created_at, unit_value)
                VALUES (:sub, :marketplace, :product, :dimension, :hour, :units, 'PENDING', :now, :deadline, :now,
                    :value)
                ON CONFLICT (subscription_id, dimension, hour_start) DO NOTHING""")
                .param("sub", subscriptionId).param("marketplace", marketplace).param("product", productCode)
                .param("dimension", dimension).param("hour", Timestamp.from(hour)).param("units", units)
                .param("now", Timestamp.from(now)).param("deadline", Timestamp.from(hour.plus(deadline)))
                .param("value", unitValue).update();
    }
}
