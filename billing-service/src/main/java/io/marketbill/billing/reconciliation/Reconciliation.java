package io.marketbill.billing.reconciliation;

import io.marketbill.billing.BillingProperties;
import io.marketbill.billing.catalog.PriceCatalog;
import io.marketbill.billing.ledger.LedgerSettlement;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Compares the ledger with what each marketplace says it accepted, and reports every difference (API and
 * the {@code marketbill.reconciliation.differences} gauge):
 * <ul>
 *   <li>{@code MISSING_AT_MARKETPLACE}: we hold it ACCEPTED, the marketplace has no such record;</li>
 *   <li>{@code VALUE_MISMATCH}: both have it, with different values;</li>
 *   <li>{@code DUPLICATE_AT_MARKETPLACE}: the marketplace took the same hour more than once;</li>
 *   <li>{@code UNKNOWN_TO_LEDGER}: the marketplace has a record we never accepted.</li>
 * </ul>
 * It also settles records whose outcome was unknown (SENT, no answer): found at the marketplace → ACCEPTED;
 * not found → PENDING again, to be sent (before its deadline).
 *
 * <p>The marketplace's record is read from {@code marketbill.billing.reconciliation.aliyun-record} /
 * {@code aws-record} (the simulator's {@code /sim/aliyun/metering} and {@code /sim/aws/metering}). Real
 * Alibaba Cloud has no documented query API for pushed metering (China site), AWS none but CloudTrail: there
 * the sources stay unset and this only reports what the ledger alone can tell.
 */
@RestController
class Reconciliation {

    private static final Logger log = LoggerFactory.getLogger(Reconciliation.class);

    /** One side's record of one hour: key = (subscription, marketplace dimension, hour epoch seconds). */
    private record Key(String subscriptionId, String dimension, long hour) {
    }

    private record LedgerRow(long id, String subscriptionId, String productCode, String dimension, Instant hour,
                             long units, String state, Instant sentAt, Instant deadline) {
    }

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final BillingProperties props;
    private final PriceCatalog catalog;
    private final LedgerSettlement settlement;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final JsonMapper json = JsonMapper.builder().build();
    private final AtomicLong open = new AtomicLong();
    private final io.marketbill.messaging.exclusive.ExclusiveRuns exclusive;

    Reconciliation(JdbcClient jdbc, TransactionTemplate tx, Clock clock, BillingProperties props, PriceCatalog catalog,
                   LedgerSettlement settlement, MeterRegistry meters,
                   io.marketbill.messaging.exclusive.ExclusiveRuns exclusive) {
        this.exclusive = exclusive;
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
        this.props = props;
        this.catalog = catalog;
        this.settlement = settlement;
        Gauge.builder("marketbill.reconciliation.differences", open, AtomicLong::get)
                .description("Unresolved differences between the metering ledger and the marketplaces").register(meters);
    }

    @Scheduled(fixedDelayString = "${marketbill.billing.reconciliation.interval:5m}",
            initialDelayString = "${marketbill.billing.reconciliation.interval:5m}")
    void tick() {
        exclusive.tick("billing.reconciliation", this::reconcile);
    }

    @PostMapping("/api/billing/reconciliation/run")
    synchronized Map<String, Object> reconcile() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (props.reconciliation().aliyunRecord() != null) {
            out.put("aliyun", compare("aliyun", aliyunRecord(props.reconciliation().aliyunRecord())));
        }
        if (props.reconciliation().awsRecord() != null) {
            out.put("aws", compare("aws", awsRecord(props.reconciliation().awsRecord())));
        }
        open.set(jdbc.sql("SELECT COUNT(*) FROM reconciliation_difference WHERE resolved_at IS NULL")
                .query(Long.class).single());
        out.put("openDifferences", open.get());
        return out;
    }

    @GetMapping("/api/billing/reconciliation")
    ResponseEntity<Map<String, Object>> differences(@RequestParam(defaultValue = "false") boolean includeResolved,
                                                    @RequestParam(required = false) String subscriptionId) {
        List<Map<String, Object>> rows = jdbc.sql("""
                SELECT * FROM reconciliation_difference WHERE (:all OR resolved_at IS NULL)
                  AND (CAST(:sub AS VARCHAR) IS NULL OR subscription_id = :sub) ORDER BY id DESC LIMIT 1000""")
                .param("all", includeResolved).param("sub", subscriptionId)
                .query((rs, n) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", rs.getLong("id"));
                    m.put("marketplace", rs.getString("marketplace"));
                    m.put("subscriptionId", rs.getString("subscription_id"));
                    m.put("dimension", rs.getString("dimension"));
                    m.put("hourStart", rs.getTimestamp("hour_start").toInstant());
                    m.put("kind", rs.getString("kind"));
                    m.put("ledgerUnits", rs.getObject("ledger_units"));
                    m.put("marketplaceUnits", rs.getObject("marketplace_units"));
                    m.put("foundAt", rs.getTimestamp("found_at").toInstant());
                    Timestamp resolved = rs.getTimestamp("resolved_at");
                    m.put("resolvedAt", resolved == null ? null : resolved.toInstant());
                    return m;
                }).list();
        return ResponseEntity.ok(Map.of("differences", rows));
    }

    private Map<String, Object> compare(String marketplace, Map<Key, List<Long>> theirs) {
        if (theirs == null) {
            return Map.of("error", "the marketplace's record could not be read");
        }
        Instant now = clock.instant();
        List<LedgerRow> ours = jdbc.sql("""
                SELECT id, subscription_id, product_code, dimension, hour_start, units, state, sent_at, deadline
                FROM metering_record WHERE marketplace = :m AND state <> 'PENDING'
                  AND hour_start > :since""")
                .param("m", marketplace).param("since", Timestamp.from(now.minus(Duration.ofDays(35))))
                .query((rs, n) -> new LedgerRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getTimestamp(5).toInstant(), rs.getLong(6), rs.getString(7),
                        rs.getTimestamp(8) == null ? null : rs.getTimestamp(8).toInstant(), rs.getTimestamp(9).toInstant()))
                .list();
        Set<String> found = new HashSet<>();
        Map<Key, LedgerRow> byKey = new HashMap<>();
        int settled = 0;
        int resent = 0;
        for (LedgerRow r : ours) {
            String md = catalog.dimension(r.productCode(), r.dimension())
                    .map(d -> "aliyun".equals(marketplace) ? d.meteringAssit() : d.marketplaceDimension())
                    .orElse(r.dimension());
            Key k = new Key(r.subscriptionId(), md, r.hour().getEpochSecond());
            byKey.put(k, r);
            List<Long> values = theirs.getOrDefault(k, List.of());
            if ("SENT".equals(r.state())) {
                boolean unknownLongEnough = r.sentAt() != null && r.sentAt().isBefore(now.minus(props.sentTimeout()));
                if (!values.isEmpty() && values.get(0) == r.units()) {
                    settlement.accepted(r.id(), "reconciled");
                    settled++;
                } else if (values.isEmpty() && unknownLongEnough && r.deadline().isAfter(now)) {
                    settlement.sendAgain(r.id(), "not at the marketplace after an unknown outcome");
                    resent++;
                }
                continue;
            }
            if ("ACCEPTED".equals(r.state())) {
                if (values.isEmpty()) {
                    found.add(difference(marketplace, r.subscriptionId(), r.dimension(), r.hour(),
                            "MISSING_AT_MARKETPLACE", r.units(), null));
                } else if (values.stream().anyMatch(v -> v != r.units())) {
                    found.add(difference(marketplace, r.subscriptionId(), r.dimension(), r.hour(), "VALUE_MISMATCH",
                            r.units(), values.get(0)));
                }
            }
            if (values.size() > 1) {
                found.add(difference(marketplace, r.subscriptionId(), r.dimension(), r.hour(),
                        "DUPLICATE_AT_MARKETPLACE", r.units(), values.stream().mapToLong(Long::longValue).sum()));
            }
        }
        theirs.forEach((k, values) -> {
            LedgerRow r = byKey.get(k);
            if (r == null || "REJECTED".equals(r.state())) {
                found.add(difference(marketplace, k.subscriptionId(), k.dimension(), Instant.ofEpochSecond(k.hour()),
                        "UNKNOWN_TO_LEDGER", r == null ? null : r.units(), values.get(0)));
            }
        });
        // differences no longer seen are resolved
        List<Long> stillOpen = jdbc.sql("SELECT id FROM reconciliation_difference WHERE marketplace = :m AND resolved_at IS NULL")
                .param("m", marketplace).query(Long.class).list();
        List<Long> gone = new ArrayList<>();
        for (Long id : stillOpen) {
            if (!found.contains(String.valueOf(id))) {
                gone.add(id);
            }
        }
        if (!gone.isEmpty()) {
            jdbc.sql("UPDATE reconciliation_difference SET resolved_at = :now WHERE id IN (:ids)")
                    .param("now", Timestamp.from(now)).param("ids", gone).update();
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("ledgerRecords", ours.size());
        summary.put("marketplaceRecords", theirs.size());
        summary.put("differences", found.size());
        summary.put("settledUnknownOutcomes", settled);
        summary.put("sentAgain", resent);
        if (!found.isEmpty()) {
            log.warn("reconciliation of {}: {} differences", marketplace, found.size());
        }
        return summary;
    }

    /** Records (or keeps) a difference; returns its id as text. */
    private String difference(String marketplace, String subscription, String dimension, Instant hour, String kind,
                              Long ledgerUnits, Long marketplaceUnits) {
        return tx.execute(status -> String.valueOf(jdbc.sql("""
                INSERT INTO reconciliation_difference (marketplace, subscription_id, dimension, hour_start, kind,
                    ledger_units, marketplace_units, found_at)
                VALUES (:m, :s, :d, :h, :k, :lu, :mu, :now)
                ON CONFLICT (subscription_id, dimension, hour_start, kind) DO UPDATE SET resolved_at = NULL,
                    ledger_units = EXCLUDED.ledger_units, marketplace_units = EXCLUDED.marketplace_units
                RETURNING id""")
                .param("m", marketplace).param("s", subscription).param("d", dimension).param("h", Timestamp.from(hour))
                .param("k", kind).param("lu", ledgerUnits).param("mu", marketplaceUnits)
                .param("now", Timestamp.from(clock.instant())).query(Long.class).single()));
    }

    /** The simulator's Alibaba record: every accepted entity, repeats included. */
    private Map<Key, List<Long>> aliyunRecord(URI uri) {
        JsonNode body = fetch(uri);
        if (body == null) {
            return null;
        }
        Map<Key, List<Long>> out = new HashMap<>();
        for (JsonNode b : body.path("billed")) {
            Key k = new Key("aliyun:" + b.path("instanceId").asString(), b.path("meteringAssit").asString(),
                    b.path("startTime").asLong());
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(b.path("value").asLong());
        }
        return out;
    }

    /** The simulator's AWS record: one entry per accepted customer, dimension and hour. */
    private Map<Key, List<Long>> awsRecord(URI uri) {
        JsonNode body = fetch(uri);
        if (body == null) {
            return null;
        }
        Map<Key, List<Long>> out = new HashMap<>();
        for (JsonNode r : body) {
            String license = r.path("LicenseArn").asString("");
            String sub = io.marketbill.contracts.SubscriptionIds.aws(r.path("CustomerAWSAccountId").asString(), license);
            Key k = new Key(sub, r.path("Dimension").asString(), Instant.parse(r.path("Timestamp").asString())
                    .truncatedTo(java.time.temporal.ChronoUnit.HOURS).getEpochSecond()); // a record is its hour's
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(r.path("Quantity").asLong());
        }
        return out;
    }

    private JsonNode fetch(URI uri) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? json.readTree(r.body()) : null;
        } catch (IOException | RuntimeException e) {
            log.warn("could not read the marketplace's record at {}: {}", uri, e.toString());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
