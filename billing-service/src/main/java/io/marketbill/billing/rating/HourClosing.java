package io.marketbill.billing.rating;

import io.marketbill.billing.BillingProperties;
import io.marketbill.billing.catalog.PriceCatalog;
import io.marketbill.billing.ledger.MeteringLedger;
import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.HourRated;
import io.marketbill.contracts.UsageForVendorBilling;
import io.marketbill.messaging.outbox.Outbox;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * <p>Usage of an organization in a switch window (its subscription closed, the switch grace period running) is held
 * when its hour closes, and settled once binding-service says how the window ended: charged to the subscription bound
 * within the grace period, in that subscription's first open hour, or handed to the vendor's billing.
 *
 * <p>A closed subscription is not left waiting for the hour to end: shortly after SubscriptionClosed its
 * last hours are rated and reported (the final flush), which AWS asks for after unsubscribe-pending.
 */
@Component
public class HourClosing {

    private static final Logger log = LoggerFactory.getLogger(HourClosing.class);
    private static final java.time.Duration HOUR = java.time.Duration.ofHours(1);

    private record Subscription(String id, String marketplace, String productCode, String sku, boolean trial,
                                Instant nextHour, String metering, Instant changedAt) {
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
            settleSwitchWindows();
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
            // what the hour held for a window already resolved goes to the next hour, closed next
            settleSwitchWindows();
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
        Set<String> subscriptions = new HashSet<>(a.billedSubscriptions());
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
            a.unbilled().forEach((k, micros) -> handOff(k.subject(), k.dimension(), k.cloud(), hour, k.reason(),
                    micros));
            a.held().forEach((k, micros) -> hold(k, hour, micros));
            jdbc.sql("""
                    INSERT INTO hour_closing (id, closed_through, attributed_from) VALUES (1, :next, :hour)
                    ON CONFLICT (id) DO UPDATE SET closed_through = EXCLUDED.closed_through,
                        attributed_from = COALESCE(hour_closing.attributed_from, EXCLUDED.attributed_from)""")
                    .param("next", Timestamp.from(hour.plus(HOUR))).param("hour", Timestamp.from(hour)).update();
        });
        hoursClosed.increment();
        log.info("closed hour {}: {} subscriptions billed, {} buckets for the vendor's billing", hour,
                subscriptions.size(), a.unbilled().size());
    }

    /** Keeps an hour's usage of a switch window until the window is resolved; in the caller's transaction. */
    private void hold(Attribution.Held k, Instant hour, long micros) {
        jdbc.sql("""
                INSERT INTO switch_window_usage (subject, dimension, cloud, hour_start, closed_subscription_id,
                    quantity_micros, state, held_at)
                VALUES (:subject, :dimension, :cloud, :hour, :closed, :micros, 'HELD', :now)
                ON CONFLICT (subject, dimension, cloud, hour_start, closed_subscription_id)
                DO UPDATE SET quantity_micros = switch_window_usage.quantity_micros + EXCLUDED.quantity_micros""")
                .param("subject", k.subject()).param("dimension", k.dimension()).param("cloud", column(k.cloud()))
                .param("hour", Timestamp.from(hour)).param("closed", k.closedSubscriptionId()).param("micros", micros)
                .param("now", Timestamp.from(clock.instant())).update();
        attribute(k.subject(), k.dimension(), hour, Outcome.SWITCH_WINDOW, "HELD", k.closedSubscriptionId(), micros);
    }

    private record HeldUsage(String subject, String dimension, String cloud, Instant hour, String closedSubscriptionId,
                             long micros, Instant resolvedAt, String switchedTo) {
    }

    /**
     * Settles the held usage of every switch window binding-service has resolved (or that stayed open longer than
     * {@code switch-window-limit}): bound within the grace period, it is charged to the new subscription in its first
     * hour still open (the marketplaces take no usage dated before a subscription existed); otherwise it goes to the
     * vendor's billing as {@code SWITCH_WINDOW}. Each in its own transaction; returns how many were settled.
     */
    public synchronized int settleSwitchWindows() {
        List<HeldUsage> due = jdbc.sql("""
                SELECT u.subject, u.dimension, u.hour_start, u.closed_subscription_id, u.quantity_micros, w.resolved_at,
                    w.switched_to, u.cloud
                FROM switch_window_usage u JOIN switch_window w ON w.organization_id = substr(u.subject, 5)
                    AND w.closed_subscription_id = u.closed_subscription_id
                WHERE u.state = 'HELD' AND (w.resolved_at IS NOT NULL OR w.opened_at <= :limit)
                ORDER BY u.hour_start, u.subject, u.dimension""")
                .param("limit", Timestamp.from(clock.instant().minus(props.switchWindowLimit())))
                .query((rs, n) -> new HeldUsage(rs.getString(1), rs.getString(2), cloud(rs.getString(8)),
                        rs.getTimestamp(3).toInstant(),
                        rs.getString(4), rs.getLong(5),
                        rs.getTimestamp(6) == null ? null : rs.getTimestamp(6).toInstant(), rs.getString(7)))
                .list();
        for (HeldUsage h : due) {
            tx.executeWithoutResult(status -> settle(h));
        }
        return due.size();
    }

    private void settle(HeldUsage h) {
        jdbc.sql("""
                DELETE FROM hour_attribution WHERE subject = :subject AND dimension = :dimension AND hour_start = :hour
                    AND outcome = 'SWITCH_WINDOW' AND reason = 'HELD' AND subscription_id = :closed""")
                .param("subject", h.subject()).param("dimension", h.dimension()).param("hour", Timestamp.from(h.hour()))
                .param("closed", h.closedSubscriptionId()).update();
        Optional<Subscription> to = h.switchedTo() == null ? Optional.empty() : subscription(h.switchedTo());
        if (to.isEmpty()) {
            handOff(h.subject(), h.dimension(), h.cloud(), h.hour(), Disposition.SWITCH_WINDOW, h.micros());
            markSettled(h, "HANDED_OFF", null, null);
            log.info("switch window after {} of {} ended without a binding: {} {} of {} to the vendor's billing",
                    h.closedSubscriptionId(), h.subject(), h.micros(), h.dimension(), h.hour());
            return;
        }
        // the minute it was bound, unless that hour is closed or already rated for it: then its first open hour
        Instant at = h.resolvedAt().truncatedTo(ChronoUnit.MINUTES);
        Instant firstOpen = closedThrough().orElse(at);
        if (firstOpen.isAfter(at)) {
            at = firstOpen;
        }
        if (to.get().nextHour() != null && to.get().nextHour().isAfter(at)) {
            at = to.get().nextHour();
        }
        markSettled(h, "CHARGED", h.switchedTo(), at);
        attribute(h.subject(), h.dimension(), h.hour(), Outcome.SWITCH_WINDOW, "CHARGED", h.switchedTo(), h.micros());
        log.info("switch window after {} of {}: {} {} of {} charged to {} at {}", h.closedSubscriptionId(),
                h.subject(), h.micros(), h.dimension(), h.hour(), h.switchedTo(), at);
    }

    private void markSettled(HeldUsage h, String state, String subscriptionId, Instant at) {
        jdbc.sql("""
                UPDATE switch_window_usage SET state = :state, charged_subscription_id = :sub, charged_at = :at
                WHERE subject = :subject AND dimension = :dimension AND cloud = :cloud AND hour_start = :hour
                    AND closed_subscription_id = :closed""")
                .param("cloud", column(h.cloud())).param("state", state).param("sub", subscriptionId).param("at", at == null ? null : Timestamp.from(at))
                .param("subject", h.subject()).param("dimension", h.dimension()).param("hour", Timestamp.from(h.hour()))
                .param("closed", h.closedSubscriptionId()).update();
    }

    /** Rates one subscription for one hour, unless it already was; in the caller's transaction. */
    private void rateSubscription(Instant hour, String subscriptionId, Attribution a) {
        Subscription s = jdbc.sql("SELECT * FROM metered_subscription WHERE subscription_id = :id FOR UPDATE")
                .param("id", subscriptionId).query((rs, n) -> subscription(rs)).optional().orElse(null);
        if (s == null) {
            return;
        }
        if (s.nextHour() != null && s.nextHour().isAfter(hour)) {
            // already rated (a final flush, or a redo after a crash): usage that came after that is not lost
            for (String dimension : a.dimensions(subscriptionId)) {
                Map<String, Long> recorded = attributedEarlier(subscriptionId, dimension, hour);
                a.bySubject(subscriptionId, dimension).forEach((subject, micros) -> {
                    long before = recorded.getOrDefault(subject, 0L);
                    if (micros > before) {
                        a.unbilled(subject, dimension, Disposition.AFTER_FINAL_FLUSH, micros - before);
                    }
                });
            }
            return;
        }
        for (PriceCatalog.MeteredDimension d : catalog.dimensions(s.productCode())) {
            // each part of the hour at the price of the plan in force in its minutes (an upgrade in the middle of the
            // hour prices the minutes before it at the old SKU, a trial's end charges the minutes after it); a
            // dimension without usage at the plan of the hour's end
            Map<Attribution.Priced, Map<String, Long>> byPlan = new HashMap<>(a.billed(subscriptionId, d.name()));
            if (byPlan.isEmpty()) {
                byPlan.put(planAt(subscriptionId, hour.plus(HOUR), s), Map.of());
            }
            Set<String> skus = new HashSet<>();
            byPlan.keySet().forEach(p -> skus.add(String.valueOf(p.sku())));
            List<Rating.Part> parts = new ArrayList<>();
            Set<String> versions = new java.util.TreeSet<>();
            List<Runnable> attributions = new ArrayList<>();
            long micros = 0;
            boolean trial = false;
            for (Map.Entry<Attribution.Priced, Map<String, Long>> part : byPlan.entrySet()) {
                String sku = part.getKey().sku();
                long partMicros = part.getValue().values().stream().mapToLong(Long::longValue).sum();
                String cloud = part.getKey().cloud();
                Optional<PriceCatalog.RatePrice> price = catalog.price(s.productCode(), sku, d.name(), cloud, hour);
                if (price.isEmpty()) {
                    part.getValue().forEach((subject, m) -> a.unbilled(subject, d.name(), cloud, Disposition.NO_PRICE,
                            m));
                    continue;
                }
                boolean free = TrialRules.zeroRated(s.marketplace(), part.getKey().trial());
                parts.add(new Rating.Part(partMicros, free ? BigDecimal.ZERO : price.get().unitsPerQuantity()));
                versions.add(skus.size() == 1 ? price.get().version()
                        : price.get().version() + " (" + (sku == null ? "no SKU" : sku) + ")");
                micros += partMicros;
                trial |= part.getKey().trial();
                part.getValue().forEach((subject, m) -> attributions.add(() -> attribute(subject, d.name(), hour,
                        free ? Outcome.NOT_CHARGEABLE : Outcome.BILLED, free ? "TRIAL" : "", subscriptionId, m)));
            }
            if (parts.isEmpty()) {
                continue;
            }
            String version = String.join(", ", versions);
            BigDecimal carryIn = jdbc.sql("SELECT carry FROM rating_carry WHERE subscription_id = :s AND dimension = :d")
                    .param("s", subscriptionId).param("d", d.name()).query(BigDecimal.class).optional()
                    .orElse(BigDecimal.ZERO);
            Rating.Rated rated = Rating.rate(parts, carryIn, d.billingStep(), false);
            // what the hour's usage cost before the carry: carry_in + cost = units + carry_out, the money law
            BigDecimal cost = BigDecimal.valueOf(rated.units()).add(rated.carry()).subtract(carryIn);
            jdbc.sql("""
                    INSERT INTO rated_hour (subscription_id, dimension, hour_start, product_code, quantity_micros, units,
                        carry_in, carry_out, price_version, trial, rated_at, unit_value, cost)
                    VALUES (:s, :d, :h, :product, :micros, :units, :carryIn, :carryOut, :version, :trial, :now, :value,
                        :cost)""")
                    .param("s", subscriptionId).param("d", d.name()).param("h", Timestamp.from(hour))
                    .param("product", s.productCode()).param("micros", micros).param("units", rated.units())
                    .param("carryIn", carryIn).param("carryOut", rated.carry()).param("version", version)
                    .param("trial", trial).param("now", Timestamp.from(clock.instant()))
                    .param("value", d.unitValue()).param("cost", cost).update();
            attributions.forEach(Runnable::run);
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
        for (String dimension : a.dimensions(subscriptionId)) {
            if (catalog.dimension(s.productCode(), dimension).isEmpty()) {
                Disposition why = catalog.isMetered(s.productCode()) ? Disposition.UNKNOWN_DIMENSION
                        : Disposition.NOT_METERED;
                a.bySubject(subscriptionId, dimension).forEach((subject, m) -> a.unbilled(subject, dimension, why, m));
            }
        }
        jdbc.sql("UPDATE metered_subscription SET next_hour = :next WHERE subscription_id = :s")
                .param("next", Timestamp.from(hour.plus(HOUR))).param("s", subscriptionId).update();
    }

    /** Where a subject's usage of one hour went (conservation: every unit ends in exactly one place). */
    enum Outcome {
        BILLED, NOT_CHARGEABLE, VENDOR_BILLING,
        /** held in a switch window ({@code HELD}), then moved to the new subscription's hour ({@code CHARGED}) */
        SWITCH_WINDOW
    }

    private void attribute(String subject, String dimension, Instant hour, Outcome outcome, String reason,
                           String subscriptionId, long micros) {
        if (micros == 0) {
            return;
        }
        jdbc.sql("""
                INSERT INTO hour_attribution (subject, dimension, hour_start, outcome, reason, subscription_id,
                    quantity_micros)
                VALUES (:subject, :dimension, :hour, :outcome, :reason, :sub, :micros)
                ON CONFLICT (subject, dimension, hour_start, outcome, reason, subscription_id)
                DO UPDATE SET quantity_micros = hour_attribution.quantity_micros + EXCLUDED.quantity_micros""")
                .param("subject", subject).param("dimension", dimension).param("hour", Timestamp.from(hour))
                .param("outcome", outcome.name()).param("reason", reason).param("sub", subscriptionId)
                .param("micros", micros).update();
    }

    /** What each subject's usage of this subscription, dimension and hour was billed or zero-rated at already. */
    private Map<String, Long> attributedEarlier(String subscriptionId, String dimension, Instant hour) {
        Map<String, Long> out = new HashMap<>();
        jdbc.sql("""
                SELECT subject, SUM(quantity_micros) FROM hour_attribution
                WHERE subscription_id = :s AND dimension = :d AND hour_start = :h
                    AND outcome IN ('BILLED', 'NOT_CHARGEABLE')
                GROUP BY subject""")
                .param("s", subscriptionId).param("d", dimension).param("h", Timestamp.from(hour))
                .query((rs, n) -> out.put(rs.getString(1), rs.getLong(2))).list();
        return out;
    }

    /**
     * Usage no marketplace will bill goes to the vendor's own billing, in the caller's transaction: kept with why
     * (shown as unbilled), counted in the hour's attribution, and handed over as UsageForVendorBilling with its
     * exact value at the listing's price where one applies.
     */
    private void handOff(String subject, String dimension, String cloud, Instant hour, Disposition why, long micros) {
        jdbc.sql("""
                INSERT INTO unbilled_hour (subject, dimension, hour_start, reason, quantity_micros)
                VALUES (:subject, :dimension, :hour, :reason, :micros)
                ON CONFLICT (subject, dimension, hour_start, reason)
                DO UPDATE SET quantity_micros = unbilled_hour.quantity_micros + EXCLUDED.quantity_micros""")
                .param("subject", subject).param("dimension", dimension).param("hour", Timestamp.from(hour))
                .param("reason", why.name()).param("micros", micros).update();
        String subscriptionId = subject.startsWith("sub:") ? subject.substring(4) : lastPayer(subject.substring(4), hour);
        attribute(subject, dimension, hour, Outcome.VENDOR_BILLING, why.name(), subscriptionId == null ? ""
                : subscriptionId, micros);
        String organizationId = subject.startsWith("org:") ? subject.substring(4) : null;
        String amount = subscriptionId == null ? null : value(subscriptionId, dimension, cloud, hour, micros);
        UsageForVendorBilling event = new UsageForVendorBilling(organizationId, subscriptionId, dimension, hour,
                BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString(), amount, why.name(), cloud);
        UUID id = cloud == null
                ? eventId("UsageForVendorBilling", subject, dimension, hour.toString(), why.name(), Long.toString(micros))
                : eventId("UsageForVendorBilling", subject, dimension, hour.toString(), why.name(), Long.toString(micros),
                        cloud);
        if (subscriptionId != null) {
            outbox.append(EventEnvelope.of(id, clock.instant(), "billing-service", subscriptionId, event));
        } else {
            // nobody paid for the organization: keyed by the organization, no marketplace to name
            outbox.append(io.marketbill.contracts.Topics.BILLING, organizationId, new EventEnvelope(id,
                    "UsageForVendorBilling", 1, clock.instant(), "billing-service", null, null, event));
        }
    }

    /** The subscription that last paid for the organization up to the end of the hour, if any (for its price). */
    private String lastPayer(String organizationId, Instant hour) {
        return jdbc.sql("""
                SELECT subscription_id FROM binding_period WHERE organization_id = :o AND bound_at < :end
                ORDER BY bound_at DESC LIMIT 1""")
                .param("o", organizationId).param("end", Timestamp.from(hour.plus(HOUR))).query(String.class)
                .optional().orElse(null);
    }

    /** {@code micros} of the dimension at the subscription's listing price in the hour, in exact yuan; or null. */
    private String value(String subscriptionId, String dimension, String cloud, Instant hour, long micros) {
        Optional<Subscription> s = subscription(subscriptionId);
        if (s.isEmpty()) {
            return null;
        }
        Optional<PriceCatalog.MeteredDimension> d = catalog.dimension(s.get().productCode(), dimension);
        Optional<PriceCatalog.RatePrice> price = catalog.price(s.get().productCode(),
                planAt(subscriptionId, hour.plus(HOUR), s.get()).sku(), dimension, cloud, hour);
        if (d.isEmpty() || price.isEmpty()) {
            return null;
        }
        BigDecimal units = BigDecimal.valueOf(micros, 6).multiply(price.get().unitsPerQuantity());
        return io.marketbill.billing.catalog.Money.yuan(units, d.get().unitValue()).toPlainString();
    }

    /** Who pays for each minute of the hour's usage (of one subscription only, for a final flush). */
    private Attribution attribute(Instant hour, String onlySubscription) {
        Instant end = hour.plus(HOUR);
        List<Attribution.Minute> minutes = jdbc.sql("""
                SELECT subject, dimension, cloud, minute_start, quantity_micros FROM usage_minute
                WHERE minute_start >= :hour AND minute_start < :end AND (CAST(:only AS VARCHAR) IS NULL
                   OR subject = 'sub:' || :only
                   OR subject IN (SELECT 'org:' || organization_id FROM binding_period WHERE subscription_id = :only))""")
                .param("hour", Timestamp.from(hour)).param("end", Timestamp.from(end)).param("only", onlySubscription)
                .query((rs, n) -> new Attribution.Minute(rs.getString(1), rs.getString(2), cloud(rs.getString(3)),
                        rs.getTimestamp(4).toInstant(), rs.getLong(5))).list();
        // and the usage of switch windows charged to a subscription bound within the grace, in the minute it moved to
        minutes = new ArrayList<>(minutes);
        minutes.addAll(jdbc.sql("""
                SELECT subject, dimension, cloud, charged_at, quantity_micros FROM switch_window_usage
                WHERE state = 'CHARGED' AND charged_at >= :hour AND charged_at < :end AND (CAST(:only AS VARCHAR) IS NULL
                   OR subject IN (SELECT 'org:' || organization_id FROM binding_period WHERE subscription_id = :only))""")
                .param("hour", Timestamp.from(hour)).param("end", Timestamp.from(end)).param("only", onlySubscription)
                .query((rs, n) -> new Attribution.Minute(rs.getString(1), rs.getString(2), cloud(rs.getString(3)),
                        rs.getTimestamp(4).toInstant(), rs.getLong(5))).list());
        return Attribution.of(minutes, facts, onlySubscription);
    }

    /** The attribution's facts, read from this service's tables. */
    private final Attribution.Facts facts = new Attribution.Facts() {
        @Override
        public List<Attribution.Bound> bindingsOf(String org) {
            return jdbc.sql("SELECT subscription_id, bound_at, unbound_at FROM binding_period WHERE organization_id = :o")
                    .param("o", org).query((rs, n) -> new Attribution.Bound(rs.getString(1),
                            rs.getTimestamp(2).toInstant(),
                            rs.getTimestamp(3) == null ? null : rs.getTimestamp(3).toInstant())).list();
        }

        @Override
        public List<Attribution.Window> windowsOf(String org) {
            return jdbc.sql("SELECT closed_subscription_id, opened_at, resolved_at FROM switch_window "
                            + "WHERE organization_id = :o")
                    .param("o", org).query((rs, n) -> new Attribution.Window(rs.getString(1),
                            rs.getTimestamp(2) == null ? null : rs.getTimestamp(2).toInstant(),
                            rs.getTimestamp(3) == null ? null : rs.getTimestamp(3).toInstant())).list();
        }

        @Override
        public boolean knows(String subscriptionId) {
            return subscription(subscriptionId).isPresent();
        }

        @Override
        public List<Attribution.Switch> switchesOf(String subscriptionId) {
            return jdbc.sql("SELECT metering, changed_at FROM metering_period_change WHERE subscription_id = :s "
                            + "ORDER BY changed_at, seq")
                    .param("s", subscriptionId)
                    .query((rs, n) -> new Attribution.Switch(rs.getString(1), rs.getTimestamp(2).toInstant())).list();
        }

        @Override
        public List<Attribution.PlanFrom> plansOf(String subscriptionId) {
            return HourClosing.this.plansOf(subscriptionId);
        }

        @Override
        public Attribution.Priced currentPlan(String subscriptionId) {
            Subscription s = subscription(subscriptionId).orElseThrow();
            return new Attribution.Priced(s.sku(), s.trial());
        }
    };

    /** The plan in force just before {@code at}; without any recorded plan, the subscription's current one. */
    private Attribution.Priced planAt(String subscriptionId, Instant at, Subscription current) {
        return plansOf(subscriptionId).stream().filter(p -> p.from().isBefore(at)).reduce((x, y) -> y)
                .map(p -> new Attribution.Priced(p.sku(), p.trial()))
                .orElse(new Attribution.Priced(current.sku(), current.trial()));
    }

    private List<Attribution.PlanFrom> plansOf(String subscriptionId) {
        return jdbc.sql("SELECT sku_id, trial, changed_at FROM plan_change WHERE subscription_id = :s "
                        + "ORDER BY changed_at, seq")
                .param("s", subscriptionId)
                .query((rs, n) -> new Attribution.PlanFrom(rs.getString(1), rs.getBoolean(2),
                        rs.getTimestamp(3).toInstant()))
                .list();
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

    /** A cloud as the tables keep it: '' when the usage did not say. */
    private static String column(String cloud) {
        return cloud == null ? "" : cloud;
    }

    private static String cloud(String column) {
        return column == null || column.isEmpty() ? null : column;
    }

    private static UUID eventId(String... parts) {
        return UUID.nameUUIDFromBytes(String.join("|", parts).getBytes(StandardCharsets.UTF_8));
    }

    private static UUID eventId(String type, String subscription, String dimension, Instant hour) {
        return eventId(type, subscription, dimension, hour.toString());
    }
}
