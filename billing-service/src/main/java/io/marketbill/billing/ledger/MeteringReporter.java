package io.marketbill.billing.ledger;

import io.marketbill.billing.BillingProperties;
import io.marketbill.billing.catalog.Money;
import io.marketbill.billing.catalog.PriceCatalog;
import io.marketbill.contracts.MeteringOverdue;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends the ledger's PENDING records within each marketplace's limits and settles them.
 * <ul>
 *   <li>Alibaba {@code PushMeteringData}: one product per request, at most 100 records, one request per
 *   instance per 60 s (so all of an instance's due hours travel together), one record per instance and hour
 *   with an entity per dimension, the whole hour as the window (over 5 minutes), {@code meteringAssit}.</li>
 *   <li>AWS {@code BatchMeterUsage}: one product per call, at most 25 records, one per customer, dimension
 *   and hour, the hour's start as the timestamp, the same values on every retry; CustomerNotSubscribed and
 *   DuplicateRecord settle the record as REJECTED, UnprocessedRecords are retried.</li>
 * </ul>
 * A record is marked SENT (committed) before the call. Refusals are retried with backoff (doubling up to
 * {@code max-backoff}) or rejected for good; an answer that never came leaves the outcome unknown: AWS
 * records are simply sent again (identical records are deduplicated), Alibaba ones wait for reconciliation
 * unless {@code aliyun.resend-unknown}. Past its deadline a record is REJECTED as overdue and stays visible.
 */
@Component
public class MeteringReporter {

    private static final Logger log = LoggerFactory.getLogger(MeteringReporter.class);

    record Due(long id, String subscriptionId, String marketplace, String productCode, String dimension, Instant hour,
               long units, int attempts, String accountId, String customerIdentifier, String licenseArn,
               boolean alone, Instant ratedAt) {

        String instanceId() {
            return subscriptionId.substring(subscriptionId.indexOf(':') + 1);
        }
    }

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final BillingProperties props;
    private final PriceCatalog catalog;
    private final AliyunMeteringClient aliyun;
    private final AwsMeteringClient aws;
    private final LedgerSettlement settlement;
    private final MeterRegistry meters;
    private final io.marketbill.messaging.exclusive.ExclusiveRuns exclusive;
    private final JsonMapper json = JsonMapper.builder().build();
    // 1 while the last call to a marketplace was refused for its credentials (alert MarketbillMeteringCredentials)
    private final Map<String, java.util.concurrent.atomic.AtomicLong> credentialsFailing = new HashMap<>();

    MeteringReporter(JdbcClient jdbc, TransactionTemplate tx, Clock clock, BillingProperties props, PriceCatalog catalog,
                     AliyunMeteringClient aliyun, AwsMeteringClient aws, LedgerSettlement settlement, MeterRegistry meters,
                     io.marketbill.messaging.exclusive.ExclusiveRuns exclusive) {
        this.exclusive = exclusive;
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
        this.props = props;
        this.catalog = catalog;
        this.aliyun = aliyun;
        this.aws = aws;
        this.settlement = settlement;
        this.meters = meters;
        for (String m : List.of("aliyun", "aws")) {
            java.util.concurrent.atomic.AtomicLong failing = new java.util.concurrent.atomic.AtomicLong();
            io.micrometer.core.instrument.Gauge.builder("marketbill.metering.credentials.failing", failing,
                            java.util.concurrent.atomic.AtomicLong::get)
                    .description("1 while the marketplace refuses the metering calls for their credentials")
                    .tag("marketplace", m).register(meters);
            credentialsFailing.put(m, failing);
        }
    }

    @Scheduled(fixedDelayString = "${marketbill.billing.report-interval:10s}",
            initialDelayString = "${marketbill.billing.report-interval:10s}")
    void tick() {
        // one replica sends at a time: two would send the same PENDING records
        exclusive.tick("billing.metering-reporter", this::report);
    }

    /** One round: overdue records, unknown outcomes, then what is due on each marketplace. */
    public synchronized void report() {
        markOverdue();
        markUnknownOutcomesOverdue();
        retryUnknownOutcomes();
        reportAws();
        if (aliyun.configured()) {
            reportAliyun();
        }
    }

    private void markOverdue() {
        Instant now = clock.instant();
        tx.executeWithoutResult(status -> jdbc.sql("""
                UPDATE metering_record SET state = 'REJECTED', overdue = TRUE, settled_at = :now,
                    last_error = 'not delivered before the deadline ' || to_char(deadline AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                WHERE state = 'PENDING' AND deadline <= :now
                RETURNING id, subscription_id, dimension, hour_start, units, deadline, unit_value""")
                .param("now", Timestamp.from(now))
                .query((rs, n) -> {
                    String amount = Money.yuan(rs.getLong(5), rs.getBigDecimal(7)).toPlainString();
                    settlement.publish(rs.getLong(1), rs.getString(2), new MeteringOverdue(rs.getLong(1), rs.getString(3),
                            rs.getTimestamp(4).toInstant(), rs.getLong(5), rs.getTimestamp(6).toInstant(), amount));
                    settlement.handOff(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                            amount, "OVERDUE");
                    log.warn("metering record {} of {} ({} {}) missed its deadline", rs.getLong(1), rs.getString(2),
                            rs.getString(3), rs.getTimestamp(4).toInstant());
                    meters.counter("marketbill.metering.overdue").increment();
                    return 1;
                }).list());
    }

    /**
     * An Alibaba push whose outcome stayed unknown until its deadline: Alibaba may have billed it, so it is not handed
     * to the vendor's billing, but it is marked overdue (the critical alert fires) and stays SENT for reconciliation
     * or an operator. Alibaba has no documented API listing pushed metering, so without a record to reconcile with,
     * this is how an unknown outcome is noticed at all.
     */
    private void markUnknownOutcomesOverdue() {
        jdbc.sql("""
                UPDATE metering_record SET overdue = TRUE,
                    last_error = 'outcome unknown at the deadline: verify with the marketplace'
                WHERE state = 'SENT' AND marketplace = 'aliyun' AND deadline <= :now AND NOT overdue
                RETURNING id, subscription_id, dimension, hour_start""")
                .param("now", Timestamp.from(clock.instant()))
                .query((rs, n) -> {
                    log.warn("metering record {} of {} ({} {}): outcome still unknown at its deadline", rs.getLong(1),
                            rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant());
                    meters.counter("marketbill.metering.overdue").increment();
                    return 1;
                }).list();
    }

    private void retryUnknownOutcomes() {
        Instant before = clock.instant().minus(props.sentTimeout());
        jdbc.sql("""
                UPDATE metering_record SET state = 'PENDING', next_attempt_at = :now,
                    last_error = 'no answer; sent again'
                WHERE state = 'SENT' AND sent_at < :before AND (marketplace = 'aws' OR :resendAliyun)""")
                .param("now", Timestamp.from(clock.instant())).param("before", Timestamp.from(before))
                .param("resendAliyun", props.aliyun().resendUnknown()).update();
    }

    private List<Due> due(String marketplace, int limit) {
        return jdbc.sql("""
                SELECT r.id, r.subscription_id, r.marketplace, r.product_code, r.dimension, r.hour_start, r.units,
                       r.attempts, s.marketplace_account_id, s.customer_identifier, s.license_arn, r.send_alone,
                       r.created_at
                FROM metering_record r JOIN metered_subscription s ON s.subscription_id = r.subscription_id
                WHERE r.state = 'PENDING' AND r.marketplace = :m AND r.next_attempt_at <= :now
                ORDER BY r.hour_start, r.id LIMIT :limit""")
                .param("m", marketplace).param("now", Timestamp.from(clock.instant())).param("limit", limit)
                .query((rs, n) -> new Due(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getTimestamp(6).toInstant(), rs.getLong(7), rs.getInt(8), rs.getString(9),
                        rs.getString(10), rs.getString(11), rs.getBoolean(12),
                        rs.getTimestamp(13).toInstant()))
                .list();
    }

    // ---- AWS ----

    private void reportAws() {
        Map<String, List<Due>> byProduct = due("aws", 2500).stream()
                .filter(d -> aws.configured(d.productCode())) // an account without credentials waits for them
                .collect(Collectors.groupingBy(Due::productCode, LinkedHashMap::new, Collectors.toList()));
        byProduct.forEach((product, records) -> {
            // a record that was in a refused call goes on its own, so that only a bad record is refused for good
            records.stream().filter(Due::alone).forEach(d -> sendAws(product, List.of(d)));
            List<Due> together = records.stream().filter(d -> !d.alone()).toList();
            for (int i = 0; i < together.size(); i += 25) {
                sendAws(product, together.subList(i, Math.min(together.size(), i + 25)));
            }
        });
    }

    private void sendAws(String product, List<Due> records) {
        // AWS takes a Quantity of 0..2147483647 (UsageRecord, BatchMeterUsage API reference); a larger hour cannot be
        // sent at all (one record per customer, dimension and hour), so it goes to the vendor's billing
        List<Due> batch = new ArrayList<>();
        for (Due d : records) {
            if (d.units() > Integer.MAX_VALUE) {
                markSent(List.of(d));
                reject(d, "QuantityOutOfRange: " + d.units() + " units in one hour, AWS takes at most 2147483647");
            } else {
                batch.add(d);
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        markSent(batch);
        List<Map<String, Object>> usage = new ArrayList<>();
        for (Due d : batch) {
            Map<String, Object> r = new LinkedHashMap<>();
            // one record per customer, dimension and hour, stamped within its hour (Aws.recordTimestamp)
            r.put("Timestamp", props.aws().timestamp(d.hour(), d.ratedAt()));
            if (d.licenseArn() != null) {
                r.put("CustomerAWSAccountId", d.accountId());
                r.put("LicenseArn", d.licenseArn());
            } else {
                r.put("CustomerIdentifier", d.customerIdentifier());
            }
            r.put("Dimension", marketplaceDimension(d));
            r.put("Quantity", d.units());
            usage.add(r);
        }
        Map<String, Object> request = new LinkedHashMap<>();
        // for license-based records AWS asks for "CustomerAWSAccountId (instead of CustomerIdentifier), LicenseArn
        // (instead of ProductCode)" (the Metering Service model of Concurrent Agreements: ProductCode defaults to
        // ""); whether it refuses both at once is UNVERIFIED, hence aws.product-code-with-license
        if (props.aws().productCodeWithLicense() || batch.stream().anyMatch(d -> d.licenseArn() == null)) {
            request.put("ProductCode", product);
        }
        request.put("UsageRecords", usage);
        MarketplaceAnswer answer = aws.batchMeterUsage(product, request);
        count("aws", answer);
        if (answer.kind() == MarketplaceAnswer.Kind.UNKNOWN) {
            retryLater(batch, answer.code() + ": " + answer.message());
            return;
        }
        if (answer.kind() == MarketplaceAnswer.Kind.REFUSED) {
            // the whole call was refused: nothing was metered (Refusals says what to do about it)
            if (refused("aws", batch, answer) && batch.size() > 1) {
                batch.forEach(d -> sendAws(product, List.of(d))); // at once: AWS has no per-customer call limit
            }
            return;
        }
        credentialsFailing.get("aws").set(0);
        Map<String, Due> byKey = new LinkedHashMap<>();
        batch.forEach(d -> byKey.put(awsKey(d.licenseArn() != null ? d.licenseArn() : d.customerIdentifier(),
                marketplaceDimension(d), d.hour()), d));
        JsonNode results = answer.body().path("Results");
        // AWS's answer holds "the UsageRecord that was part of the request"; how exactly it is echoed (with the
        // LicenseArn? the Timestamp in which form?) is not specified, so a result is matched on who, dimension and
        // hour bucket, and, when that fails and the answer has one result per record and nothing unprocessed, by
        // its position
        boolean positional = results.size() == batch.size() && answer.body().path("UnprocessedRecords").isEmpty();
        for (int i = 0; i < results.size(); i++) {
            JsonNode result = results.get(i);
            JsonNode r = result.path("UsageRecord");
            String who = r.hasNonNull("LicenseArn") ? r.path("LicenseArn").asString() : r.path("CustomerIdentifier").asString();
            Instant at = echoedTime(r.path("Timestamp"));
            Due d = at == null ? null : byKey.remove(awsKey(who, r.path("Dimension").asString(), at));
            if (d == null && positional && byKey.containsValue(batch.get(i))) {
                d = batch.get(i);
                byKey.values().remove(d);
            }
            if (d == null) {
                continue;
            }
            String status = result.path("Status").asString("");
            if ("Success".equals(status)) {
                accept(d, result.path("MeteringRecordId").asString(null));
            } else if ("DuplicateRecord".equals(status) && d.attempts() > 0) {
                // sent before without an answer we could read: identical values are idempotent ("identical requests
                // are idempotent"), so a DuplicateRecord on a resend is most likely our own earlier send. It is
                // settled as billed, and reconciliation (or the operator, without a record API) verifies the value
                settlement.accepted(d.id(), null);
                note(List.of(d), "DuplicateRecord on a resend: billed by an earlier send (verify the quantity)");
            } else {
                reject(d, status);
            }
        }
        // UnprocessedRecords, and anything the answer did not mention: send again
        if (!byKey.isEmpty()) {
            retryLater(new ArrayList<>(byKey.values()), "unprocessed");
        }
    }

    private static String awsKey(String who, String dimension, Instant hour) {
        return who + "|" + dimension + "|" + hour.truncatedTo(java.time.temporal.ChronoUnit.HOURS).getEpochSecond();
    }

    /** An echoed Timestamp: epoch seconds (possibly fractional) or an ISO-8601 instant; null if neither. */
    private static Instant echoedTime(JsonNode t) {
        try {
            return t.isNumber() ? Instant.ofEpochSecond(t.asLong())
                    : t.isString() && !t.asString().isBlank() ? (t.asString().matches("\\d+(\\.\\d+)?")
                    ? Instant.ofEpochSecond(Long.parseLong(t.asString().split("\\.")[0])) : Instant.parse(t.asString()))
                    : null;
        } catch (java.time.format.DateTimeParseException | NumberFormatException e) {
            return null;
        }
    }

    // ---- Alibaba ----

    private void reportAliyun() {
        Instant wall = Instant.now(); // Alibaba counts its 60 s in real time
        Map<String, Instant> lastPush = new HashMap<>();
        jdbc.sql("SELECT instance_id, last_push_at FROM aliyun_push")
                .query((rs, n) -> lastPush.put(rs.getString(1), rs.getTimestamp(2).toInstant())).list();
        Map<String, Map<String, List<Due>>> byProduct = new LinkedHashMap<>();
        Map<String, List<Due>> alone = new LinkedHashMap<>(); // instance -> its oldest hour in a refused push
        List<Due> due = due("aliyun", 5000);
        for (Due d : due) {
            Instant last = lastPush.get(d.instanceId());
            if (last != null && Duration.between(last, wall).compareTo(props.aliyun().minPushInterval()) < 0) {
                continue; // one request per instance per 60 s
            }
            if (d.alone()) {
                List<Due> hour = alone.computeIfAbsent(d.instanceId(), k -> new ArrayList<>());
                if (hour.isEmpty() || hour.getFirst().hour().equals(d.hour())) {
                    hour.add(d); // due() is ordered by hour: the oldest hour of the instance
                }
                continue;
            }
            byProduct.computeIfAbsent(d.productCode(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(d.instanceId(), k -> new ArrayList<>()).add(d);
        }
        // an instance-hour that was in a refused push goes in a push of its own, and its instance sends nothing
        // else in this round (one request per instance per 60 s)
        alone.forEach((instance, records) -> {
            byProduct.values().forEach(byInstance -> byInstance.remove(instance));
            pushAliyun(records);
        });
        byProduct.forEach((product, byInstance) -> {
            List<Due> batch = new ArrayList<>();
            int records = 0;
            for (List<Due> instanceRecords : byInstance.values()) {
                int hours = (int) instanceRecords.stream().map(Due::hour).distinct().count();
                if (hours > 100) { // more hours than one request takes: the oldest first, the rest in 60 s
                    List<Instant> first = instanceRecords.stream().map(Due::hour).distinct().sorted().limit(100).toList();
                    instanceRecords = instanceRecords.stream().filter(d -> first.contains(d.hour())).toList();
                    hours = 100;
                }
                if (records + hours > 100) {
                    pushAliyun(batch);
                    batch = new ArrayList<>();
                    records = 0;
                }
                batch.addAll(instanceRecords);
                records += hours;
            }
            if (!batch.isEmpty()) {
                pushAliyun(batch);
            }
        });
    }

    private void pushAliyun(List<Due> batch) {
        Map<List<Object>, List<Due>> byRecord = new LinkedHashMap<>(); // (instance, hour) -> its dimensions
        batch.forEach(d -> byRecord.computeIfAbsent(List.of(d.instanceId(), d.hour()), k -> new ArrayList<>()).add(d));
        List<Map<String, Object>> metering = new ArrayList<>();
        byRecord.forEach((k, dims) -> {
            Instant hour = (Instant) k.get(1);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("InstanceId", k.get(0));
            r.put("StartTime", String.valueOf(hour.getEpochSecond()));
            r.put("EndTime", String.valueOf(hour.plusSeconds(3600).getEpochSecond()));
            List<Map<String, Object>> entities = new ArrayList<>();
            for (Due d : dims) {
                PriceCatalog.MeteredDimension md = catalog.dimension(d.productCode(), d.dimension()).orElseThrow();
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("Key", md.marketplaceDimension());
                e.put("Value", String.valueOf(d.units()));
                e.put("meteringAssit", md.meteringAssit());
                entities.add(e);
            }
            r.put("Entities", entities);
            metering.add(r);
        });
        Instant wall = Instant.now();
        tx.executeWithoutResult(status -> {
            markSentInTx(batch);
            for (Object instance : byRecord.keySet().stream().map(k -> k.get(0)).distinct().toList()) {
                jdbc.sql("""
                        INSERT INTO aliyun_push (instance_id, last_push_at) VALUES (:i, :at)
                        ON CONFLICT (instance_id) DO UPDATE SET last_push_at = EXCLUDED.last_push_at""")
                        .param("i", instance).param("at", Timestamp.from(wall)).update();
            }
        });
        MarketplaceAnswer answer = aliyun.push(json.writeValueAsString(metering));
        count("aliyun", answer);
        switch (answer.kind()) {
            case ACCEPTED -> batch.forEach(d -> accept(d, answer.body().path("RequestId").asString(null)));
            case UNKNOWN -> {
                if (props.aliyun().resendUnknown()) {
                    retryLater(batch, answer.code() + ": " + answer.message());
                } else {
                    // stays SENT: reconciliation decides whether Alibaba took it
                    note(batch, "outcome unknown (" + answer.code() + ": " + answer.message() + ")");
                }
            }
            default -> refused("aliyun", byRecord.size() == 1 ? List.of() : batch, answer, batch);
        }
        if (answer.kind() != MarketplaceAnswer.Kind.REFUSED) {
            credentialsFailing.get("aliyun").set(0);
        }
    }

    // ---- refusals of a whole call ----

    /** Settles a refused call's records as Refusals says; true when they were set to be sent one by one. */
    private boolean refused(String marketplace, List<Due> batch, MarketplaceAnswer answer) {
        return refused(marketplace, batch.size() > 1 ? batch : List.of(), answer, batch);
    }

    /**
     * @param severable the records that can still be told apart by sending them singly (empty: the call held one
     *                  marketplace record, refused on its own)
     */
    private boolean refused(String marketplace, List<Due> severable, MarketplaceAnswer answer, List<Due> batch) {
        String why = answer.code() + ": " + answer.message();
        switch (Refusals.of(marketplace, answer.code())) {
            case RETRY -> retryLater(batch, why);
            case CREDENTIALS -> {
                // not the records' fault: they keep their place until the deadline, and operators are told
                credentialsFailing.get(marketplace).set(1);
                log.error("{} refused the metering call for its credentials or permissions ({}); {} records wait "
                        + "for a fix until their deadline", marketplace, answer.code(), batch.size());
                retryLater(batch, why);
            }
            case ISOLATE -> {
                if (severable.isEmpty()) {
                    batch.forEach(d -> reject(d, why));
                    return false;
                }
                settlement.sendAlone(batch.stream().map(Due::id).toList(),
                        "refused in a call of " + batch.size() + " records (" + why + "): sent again on its own");
                return true;
            }
        }
        return false;
    }

    // ---- state changes ----

    private void markSent(List<Due> batch) {
        tx.executeWithoutResult(status -> markSentInTx(batch));
    }

    private void markSentInTx(List<Due> batch) {
        jdbc.sql("UPDATE metering_record SET state = 'SENT', attempts = attempts + 1, sent_at = :now "
                        + "WHERE id IN (:ids) AND state = 'PENDING'")
                .param("now", Timestamp.from(clock.instant())).param("ids", batch.stream().map(Due::id).toList())
                .update();
    }

    private void accept(Due d, String marketplaceRecordId) {
        settlement.accepted(d.id(), marketplaceRecordId);
    }

    private void reject(Due d, String reason) {
        if (settlement.rejected(d.id(), reason)) {
            log.warn("metering record {} of {} ({} {}) rejected: {}", d.id(), d.subscriptionId(), d.dimension(),
                    d.hour(), reason);
        }
    }

    private void retryLater(List<Due> batch, String why) {
        Instant now = clock.instant();
        for (Due d : batch) {
            long factor = 1L << Math.min(20, Math.max(0, d.attempts()));
            Duration wait = props.initialBackoff().multipliedBy(factor);
            settlement.sendAgain(d.id(), why, now.plus(wait.compareTo(props.maxBackoff()) > 0 ? props.maxBackoff() : wait));
        }
    }

    private void note(List<Due> batch, String why) {
        jdbc.sql("UPDATE metering_record SET last_error = :why WHERE id IN (:ids)")
                .param("why", LedgerSettlement.clip(why)).param("ids", batch.stream().map(Due::id).toList()).update();
    }

    private void count(String marketplace, MarketplaceAnswer answer) {
        meters.counter("marketbill.metering.calls", "marketplace", marketplace, "outcome",
                answer.kind().name().toLowerCase(java.util.Locale.ROOT),
                "code", answer.code() == null ? "none" : answer.code()).increment();
    }

    private String marketplaceDimension(Due d) {
        return catalog.dimension(d.productCode(), d.dimension())
                .map(PriceCatalog.MeteredDimension::marketplaceDimension).orElse(d.dimension());
    }
}
