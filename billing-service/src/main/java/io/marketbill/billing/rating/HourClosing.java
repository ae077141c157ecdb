package io.marketbill.billing.rating;

import io.marketbill.billing.BillingProperties;
import io.marketbill.billing.catalog.PriceCatalog;
import io.marketbill.billing.ledger.MeteringLedger;
import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.HourRated;
import io.marketbill.messaging.outbox.Outbox;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Closes hours. An hour is closed once its late window has passed: each minute of usage is charged to the
 * subscription that paid for it at that minute (the one named, or the one bound to the organization), only
 * while that subscription was billing; what nobody pays for is kept as unbilled with the reason. Then every
 * subscription billing in that hour is rated per dimension (zeros included) and its records go to the
 * metering ledger, with HourRated through the outbox, in one transaction per subscription.
 *
 * <p>A closed subscription is not left waiting for the hour to end: shortly after SubscriptionClosed its
 * last hours are rated and reported (the final flush), which AWS asks for after unsubscribe-pending.
 */
@Component
public class HourClosing {

    private static final Logger log = LoggerFactory.getLogger(HourClosing.class);
    private static final java.time.Duration HOUR = java.time.Duration.ofHours(1);

    private record Minute(String subject, String dimension, Instant at, long micros) {
    }

    private record Subscription(String id, String marketplace, String productCode, String sku, boolean trial,
                                Instant nextHour, String metering, Instant changedAt) {
    }

    private record Change(String metering, Instant at) {
    }

    private record BoundPeriod(String subscriptionId, Instant from, Instant to) {
    }

    /** A plan (the SKU, whether a trial) in force from a time on. */
    private record PlanFrom(String sku, boolean trial, Instant from) {
    }

    /** How a minute is priced: at its SKU, and whether it was a trial minute. */
    private record Priced(String sku, boolean trial) {
    }

    /** The hour's usage, attributed. */
    private static final class Attribution {
        // subscription -> dimension -> the plan in force at the minute -> micros
        final Map<String, Map<String, Map<Priced, Long>>> billable = new HashMap<>();
        final Map<List<String>, Long> unbilled = new TreeMap<>(Comparator.comparing(Object::toString)); // subject, dimension, reason

        void bill(String subscription, String dimension, Priced plan, long micros) {
            billable.computeIfAbsent(subscription, k -> new HashMap<>()).computeIfAbsent(dimension, k -> new HashMap<>())
                    .merge(plan, micros, Math::addExact);
        }

        Map<String, Long> totals(String subscription) {
            Map<String, Long> t = new HashMap<>();
            billable.getOrDefault(subscription, Map.of()).forEach((dimension, bySku) ->
                    t.put(dimension, bySku.values().stream().mapToLong(Long::longValue).sum()));
            return t;
        }

        void unbilled(String subject, String dimension, Disposition why, long micros) {
            unbilled.merge(List.of(subject, dimension, why.name()), micros, Math::addExact);
        }
    }

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final BillingProperties props;
    private final PriceCatalog catalog;
    private final MeteringLedger ledger;
    private final Outbox outbox;
    private final MeterRegistry meters;
    private final io.marketbill.messaging.exclusive.ExclusiveRuns exclusive;
    private final io.micrometer.core.instrument.Counter hoursClosed;

    HourClosing(JdbcClient jdbc, TransactionTemplate tx, Clock clock, BillingProperties props, PriceCatalog catalog,
                MeteringLedger ledger, Outbox outbox, MeterRegistry meters,
                io.marketbill.messaging.exclusive.ExclusiveRuns exclusive) {
        this.exclusive = exclusive;
        // registered at start, so dashboards and alerts see 0 rather than nothing after a restart
        this.hoursClosed = io.micrometer.core.instrument.Counter.builder("marketbill.billing.hours.closed")
                .description("Hours closed and rated").register(meters);
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
        this.props = props;
        this.catalog = catalog;
        this.ledger = ledger;
        this.outbox = outbox;
        this.meters = meters;
    }

    @Scheduled(fixedDelayString = "${marketbill.billing.close-interval:30s}", initialDelayString = "${marketbill.billing.close-interval:30s}")
    void tick() {
        // one replica closes hours at a time: two would add the same unbilled usage twice
        exclusive.tick("billing.hour-closing", () -> {
            flushClosedSubscriptions();
            closeDueHours();
        });
    }

    /** Closes every hour whose late window has passed; returns how many hours were closed. */
    public int closeDueHours() {
        return closeHoursBefore(clock.instant().minus(props.lateWindow()).minus(props.closeMargin())
                .truncatedTo(ChronoUnit.HOURS));
    }

    /**
     * Closes every hour that starts before {@code dueBefore} (an hour boundary), even one whose late window is
     * still open: its further usage is then refused as too late. For demos and fault tests only
     * ({@code marketbill.billing.allow-early-close}).
     */
    public int closeEarly(Instant dueBefore) {
        if (!props.allowEarlyClose()) {
            throw new IllegalStateException("closing hours early is off (marketbill.billing.allow-early-close)");
        }
        if (!dueBefore.truncatedTo(ChronoUnit.HOURS).equals(dueBefore)) {
            throw new IllegalArgumentException("through must be an hour boundary, e.g. 2026-11-23T09:00:00Z");
        }
        return closeHoursBefore(dueBefore);
    }

    /**
     * Rates one subscription's hours before {@code through} now, as a final flush does, without closing those
     * hours for anyone else: the demo and the fault run see their hour reported without waiting for it to end.
     * Its usage arriving later for those hours is kept as {@code AFTER_FINAL_FLUSH}. Only with
     * {@code allow-early-close}.
     */
    public synchronized int closeEarly(String subscriptionId, Instant through) {
        if (!props.allowEarlyClose()) {
            throw new IllegalStateException("closing hours early is off (marketbill.billing.allow-early-close)");
        }
        if (!through.truncatedTo(ChronoUnit.HOURS).equals(through)) {
            throw new IllegalArgumentException("through must be an hour boundary, e.g. 2026-11-23T09:00:00Z");
        }
        Subscription s = subscription(subscriptionId).orElseThrow(() ->
                new IllegalArgumentException("no subscription " + subscriptionId));
        int rated = 0;
        for (Instant h = s.nextHour(); h != null && h.isBefore(through); h = h.plus(HOUR)) {
            Attribution a = attribute(h, subscriptionId);
            Instant hour = h;
            tx.executeWithoutResult(status -> rateSubscription(hour, subscriptionId, a));
            rated++;
        }
        return rated;
    }

    private synchronized int closeHoursBefore(Instant dueBefore) {
        Instant cursor = closedThrough().orElseGet(() -> firstHour(dueBefore));
        int closed = 0;
        while (cursor.isBefore(dueBefore)) {
            closeHour(cursor);
            cursor = cursor.plus(HOUR);
            closed++;
        }
        return closed;
    }

    /** Rates the remaining hours of subscriptions closed at least {@code finalFlushDelay} ago. */
    public synchronized int flushClosedSubscriptions() {
        Instant now = clock.instant();
        List<Subscription> ended = jdbc.sql("""
                SELECT * FROM metered_subscription WHERE metering = 'ENDED' AND next_hour IS NOT NULL
                  AND next_hour <= date_trunc('hour', changed_at) AND changed_at <= :before""")
                .param("before", Timestamp.from(now.minus(props.finalFlushDelay())))
                .query((rs, n) -> subscription(rs)).list();
        int flushed = 0;
        for (Subscription s : ended) {
            Instant last = s.changedAt().truncatedTo(ChronoUnit.HOURS);
            for (Instant h = s.nextHour(); !h.isAfter(last); h = h.plus(HOUR)) {
                Attribution a = attribute(h, s.id());
                Instant hour = h;
                tx.executeWithoutResult(status -> rateSubscription(hour, s.id(), a));
                flushed++;
            }
            log.info("final flush of {}: rated through {}", s.id(), last);
        }
        return flushed;
    }

    private void closeHour(Instant hour) {
        Attribution a = attribute(hour, null);
        Set<String> subscriptions = new HashSet<>(a.billable.keySet());
        subscriptions.addAll(jdbc.sql("""
                SELECT s.subscription_id FROM metered_subscription s
                WHERE s.next_hour IS NOT NULL AND s.next_hour <= :hour AND (
                    (SELECT c.metering FROM metering_period_change c WHERE c.subscription_id = s.subscription_id
                       AND c.changed_at <= :hour ORDER BY c.changed_at DESC, c.seq DESC LIMIT 1) = 'BILLING'
                    OR EXISTS (SELECT 1 FROM metering_period_change c WHERE c.subscription_id = s.subscription_id
                       AND c.metering = 'BILLING' AND c.changed_at > :hour AND c.changed_at < :end))""")
                .param("hour", Timestamp.from(hour)).param("end", Timestamp.from(hour.plus(HOUR)))
                .query(String.class).list());
        List<String> ordered = new ArrayList<>(subscriptions);
        ordered.sort(null);
        for (String s : ordered) {
            tx.executeWithoutResult(status -> rateSubscription(hour, s, a));
        }
        tx.executeWithoutResult(status -> {
            a.unbilled.forEach((k, micros) -> jdbc.sql("""
                    INSERT INTO unbilled_hour (subject, dimension, hour_start, reason, quantity_micros)
                    VALUES (:subject, :dimension, :hour, :reason, :micros)
                    ON CONFLICT (subject, dimension, hour_start, reason)
                    DO UPDATE SET quantity_micros = unbilled_hour.quantity_micros + EXCLUDED.quantity_micros""")
                    .param("subject", k.get(0)).param("dimension", k.get(1)).param("hour", Timestamp.from(hour))
                    .param("reason", k.get(2)).param("micros", micros).update());
            jdbc.sql("""
                    INSERT INTO hour_closing (id, closed_through) VALUES (1, :next)
                    ON CONFLICT (id) DO UPDATE SET closed_through = EXCLUDED.closed_through""")
                    .param("next", Timestamp.from(hour.plus(HOUR))).update();
        });
        hoursClosed.increment();
        log.info("closed hour {}: {} subscriptions billed, {} unbilled buckets", hour, subscriptions.size(),
                a.unbilled.size());
    }

    /** Rates one subscription for one hour, unless it already was; in the caller's transaction. */
    private void rateSubscription(Instant hour, String subscriptionId, Attribution a) {
        Subscription s = jdbc.sql("SELECT * FROM metered_subscription WHERE subscription_id = :id FOR UPDATE")
                .param("id", subscriptionId).query((rs, n) -> subscription(rs)).optional().orElse(null);
        Map<String, Long> usage = a.totals(subscriptionId);
        if (s == null) {
            return;
        }
        if (s.nextHour() != null && s.nextHour().isAfter(hour)) {
            // already rated (a final flush, or a redo after a crash): usage that came after that is not lost
            usage.forEach((dimension, micros) -> {
                long rated = jdbc.sql("""
                        SELECT COALESCE(SUM(quantity_micros), 0) FROM rated_hour
                        WHERE subscription_id = :s AND dimension = :d AND hour_start = :h""")
                        .param("s", subscriptionId).param("d", dimension).param("h", Timestamp.from(hour))
                        .query(Long.class).single();
                if (micros > rated) {
                    a.unbilled("sub:" + subscriptionId, dimension, Disposition.AFTER_FINAL_FLUSH, micros - rated);
                }
            });
            return;
        }
        for (PriceCatalog.MeteredDimension d : catalog.dimensions(s.productCode())) {
            // each part of the hour at the price of the plan in force in its minutes (an upgrade in the middle of the
            // hour prices the minutes before it at the old SKU, a trial's end charges the minutes after it); a
            // dimension without usage at the plan of the hour's end
            Map<Priced, Long> bySku = new HashMap<>(a.billable.getOrDefault(subscriptionId, Map.of())
                    .getOrDefault(d.name(), Map.of()));
            if (bySku.isEmpty()) {
                bySku.put(planAt(subscriptionId, hour.plus(HOUR), s, new HashMap<>()), 0L);
            }
            List<Rating.Part> parts = new ArrayList<>();
            Set<String> versions = new java.util.TreeSet<>();
            long micros = 0;
            boolean trial = false;
            Set<String> skus = new java.util.HashSet<>();
            bySku.keySet().forEach(p -> skus.add(String.valueOf(p.sku())));
            for (Map.Entry<Priced, Long> part : bySku.entrySet()) {
                String sku = part.getKey().sku();
                Optional<PriceCatalog.RatePrice> price = catalog.price(s.productCode(), sku, d.name(), hour);
                if (price.isEmpty()) {
                    if (part.getValue() > 0) {
                        a.unbilled("sub:" + subscriptionId, d.name(), Disposition.NO_PRICE, part.getValue());
                    }
                    continue;
                }
                boolean free = TrialRules.zeroRated(s.marketplace(), part.getKey().trial());
                parts.add(new Rating.Part(part.getValue(), free ? BigDecimal.ZERO : price.get().unitsPerQuantity()));
                versions.add(skus.size() == 1 ? price.get().version()
                        : price.get().version() + " (" + (sku == null ? "no SKU" : sku) + ")");
                micros += part.getValue();
                trial |= part.getKey().trial();
            }
            if (parts.isEmpty()) {
                continue;
            }
            String version = String.join(", ", versions);
            BigDecimal carryIn = jdbc.sql("SELECT carry FROM rating_carry WHERE subscription_id = :s AND dimension = :d")
                    .param("s", subscriptionId).param("d", d.name()).query(BigDecimal.class).optional()
                    .orElse(BigDecimal.ZERO);
            Rating.Rated rated = Rating.rate(parts, carryIn, d.billingStep(), false);
            jdbc.sql("""
                    INSERT INTO rated_hour (subscription_id, dimension, hour_start, product_code, quantity_micros, units,
                        carry_in, carry_out, price_version, trial, rated_at, unit_value)
                    VALUES (:s, :d, :h, :product, :micros, :units, :carryIn, :carryOut, :version, :trial, :now, :value)""")
                    .param("s", subscriptionId).param("d", d.name()).param("h", Timestamp.from(hour))
                    .param("product", s.productCode()).param("micros", micros).param("units", rated.units())
                    .param("carryIn", carryIn).param("carryOut", rated.carry()).param("version", version)
                    .param("trial", trial).param("now", Timestamp.from(clock.instant()))
                    .param("value", d.unitValue()).update();
            jdbc.sql("""
                    INSERT INTO rating_carry (subscription_id, dimension, carry) VALUES (:s, :d, :carry)
                    ON CONFLICT (subscription_id, dimension) DO UPDATE SET carry = EXCLUDED.carry""")
                    .param("s", subscriptionId).param("d", d.name()).param("carry", rated.carry()).update();
            if (rated.units() > 0 || ledger.reportsZeroHours(s.marketplace())) {
                ledger.add(subscriptionId, s.marketplace(), s.productCode(), d.name(), hour, rated.units(),
                        d.unitValue());
            }
            outbox.append(EventEnvelope.of(eventId("HourRated", subscriptionId, d.name(), hour), clock.instant(),
                    "billing-service", subscriptionId, new HourRated(s.productCode(), d.name(), hour,
                            BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString(), rated.units(),
                            version, trial, d.yuan(rated.units()).toPlainString())));
            meters.counter("marketbill.billing.units.rated", "product", s.productCode(), "dimension", d.name())
                    .increment(rated.units());
        }
        usage.keySet().stream().filter(dim -> catalog.dimension(s.productCode(), dim).isEmpty()).forEach(dim ->
                a.unbilled("sub:" + subscriptionId, dim, catalog.isMetered(s.productCode())
                        ? Disposition.UNKNOWN_DIMENSION : Disposition.NOT_METERED, usage.get(dim)));
        jdbc.sql("UPDATE metered_subscription SET next_hour = :next WHERE subscription_id = :s")
                .param("next", Timestamp.from(hour.plus(HOUR))).param("s", subscriptionId).update();
    }

    /** Who pays for each minute of the hour's usage (of one subscription only, for a final flush). */
    private Attribution attribute(Instant hour, String onlySubscription) {
        Instant end = hour.plus(HOUR);
        List<Minute> minutes = jdbc.sql("""
                SELECT subject, dimension, minute_start, quantity_micros FROM usage_minute
                WHERE minute_start >= :hour AND minute_start < :end AND (CAST(:only AS VARCHAR) IS NULL
                   OR subject = 'sub:' || :only
                   OR subject IN (SELECT 'org:' || organization_id FROM binding_period WHERE subscription_id = :only))""")
                .param("hour", Timestamp.from(hour)).param("end", Timestamp.from(end)).param("only", onlySubscription)
                .query((rs, n) -> new Minute(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(),
                        rs.getLong(4))).list();
        Map<String, List<BoundPeriod>> bindings = new HashMap<>();
        Map<String, Optional<Subscription>> subscriptions = new HashMap<>();
        Map<String, List<Change>> changes = new HashMap<>();
        Map<String, List<PlanFrom>> plans = new HashMap<>();
        Attribution a = new Attribution();
        for (Minute m : minutes) {
            String subscription;
            if (m.subject().startsWith("sub:")) {
                subscription = m.subject().substring(4);
            } else {
                String org = m.subject().substring(4);
                // a minute goes by how things stood at its end: a change during a minute governs all of it
                Instant minuteEnd = m.at().plusSeconds(60);
                subscription = bindings.computeIfAbsent(org, this::bindingsOf).stream()
                        .filter(b -> b.from().isBefore(minuteEnd) && (b.to() == null || !b.to().isBefore(minuteEnd)))
                        .max(Comparator.comparing(BoundPeriod::from)).map(BoundPeriod::subscriptionId).orElse(null);
                if (subscription == null) {
                    a.unbilled(m.subject(), m.dimension(), Disposition.UNBOUND, m.micros());
                    continue;
                }
            }
            if (onlySubscription != null && !onlySubscription.equals(subscription)) {
                continue;
            }
            if (subscriptions.computeIfAbsent(subscription, this::subscription).isEmpty()) {
                a.unbilled(m.subject(), m.dimension(), Disposition.UNKNOWN_SUBSCRIPTION, m.micros());
                continue;
            }
            String state = changes.computeIfAbsent(subscription, this::changesOf).stream()
                    .filter(c -> c.at().isBefore(m.at().plusSeconds(60))).reduce((x, y) -> y).map(Change::metering)
                    .orElse(null);
            if ("BILLING".equals(state)) {
                a.bill(subscription, m.dimension(), planAt(subscription, m.at().plusSeconds(60),
                        subscriptions.get(subscription).get(), plans), m.micros());
            } else {
                a.unbilled(m.subject(), m.dimension(), state == null ? Disposition.NOT_OPEN
                        : "PAUSED".equals(state) ? Disposition.PAUSED : Disposition.ENDED, m.micros());
            }
        }
        return a;
    }

    /**
     * The plan in force just before {@code at}: a minute goes by how things stood at its end, as for bindings and
     * freezes. Without any recorded plan, the subscription's current SKU and trial.
     */
    private Priced planAt(String subscriptionId, Instant at, Subscription current, Map<String, List<PlanFrom>> cache) {
        return cache.computeIfAbsent(subscriptionId, this::plansOf).stream().filter(p -> p.from().isBefore(at))
                .reduce((x, y) -> y).map(p -> new Priced(p.sku(), p.trial()))
                .orElse(new Priced(current.sku(), current.trial()));
    }

    private List<PlanFrom> plansOf(String subscriptionId) {
        return jdbc.sql("SELECT sku_id, trial, changed_at FROM plan_change WHERE subscription_id = :s "
                        + "ORDER BY changed_at, seq")
                .param("s", subscriptionId)
                .query((rs, n) -> new PlanFrom(rs.getString(1), rs.getBoolean(2), rs.getTimestamp(3).toInstant()))
                .list();
    }

    private List<BoundPeriod> bindingsOf(String org) {
        return jdbc.sql("SELECT subscription_id, bound_at, unbound_at FROM binding_period WHERE organization_id = :o")
                .param("o", org).query((rs, n) -> new BoundPeriod(rs.getString(1), rs.getTimestamp(2).toInstant(),
                        rs.getTimestamp(3) == null ? null : rs.getTimestamp(3).toInstant())).list();
    }

    private List<Change> changesOf(String subscriptionId) {
        return jdbc.sql("SELECT metering, changed_at FROM metering_period_change WHERE subscription_id = :s "
                        + "ORDER BY changed_at, seq")
                .param("s", subscriptionId)
                .query((rs, n) -> new Change(rs.getString(1), rs.getTimestamp(2).toInstant())).list();
    }

    private Optional<Subscription> subscription(String id) {
        return jdbc.sql("SELECT * FROM metered_subscription WHERE subscription_id = :id").param("id", id)
                .query((rs, n) -> subscription(rs)).optional();
    }

    private static Subscription subscription(java.sql.ResultSet rs) throws java.sql.SQLException {
        Timestamp next = rs.getTimestamp("next_hour");
        return new Subscription(rs.getString("subscription_id"), rs.getString("marketplace"),
                rs.getString("product_code"), rs.getString("sku_id"), rs.getBoolean("trial"),
                next == null ? null : next.toInstant(), rs.getString("metering"),
                rs.getTimestamp("changed_at").toInstant());
    }

    private Optional<Instant> closedThrough() {
        return jdbc.sql("SELECT closed_through FROM hour_closing WHERE id = 1")
                .query((rs, n) -> rs.getTimestamp(1).toInstant()).optional();
    }

    /** Where closing starts on a fresh database: the first hour with usage or a billing subscription. */
    private Instant firstHour(Instant dueBefore) {
        Instant first = jdbc.sql("""
                SELECT LEAST((SELECT MIN(minute_start) FROM usage_minute),
                             (SELECT MIN(next_hour) FROM metered_subscription))""")
                .query((rs, n) -> rs.getTimestamp(1) == null ? null : rs.getTimestamp(1).toInstant()).optional()
                .orElse(null);
        return first == null ? dueBefore : first.truncatedTo(ChronoUnit.HOURS);
    }

    private static UUID eventId(String... parts) {
        return UUID.nameUUIDFromBytes(String.join("|", parts).getBytes(StandardCharsets.UTF_8));
    }

    private static UUID eventId(String type, String subscription, String dimension, Instant hour) {
        return eventId(type, subscription, dimension, hour.toString());
    }
}
