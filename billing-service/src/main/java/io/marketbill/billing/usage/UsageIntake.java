package io.marketbill.billing.usage;

import io.marketbill.billing.BillingProperties;
import io.marketbill.contracts.InvalidUsageException;
import io.marketbill.contracts.Topics;
import io.marketbill.contracts.UsageRecorded;
import io.marketbill.messaging.usage.UsageCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Takes usage from {@code usage.v1} a poll at a time: one transaction records the new (source, id) pairs and
 * adds their quantities to the per-minute totals, so a redelivered batch (after a crash or a rebalance)
 * adds nothing twice. Refused events are kept with their reason and counted; they never block the valid
 * ones of the same batch. A database failure fails the whole batch, which Kafka then delivers again.
 */
@Component
class UsageIntake {

    private static final Logger log = LoggerFactory.getLogger(UsageIntake.class);

    /** Judged usage: accepted, or refused with a reason. */
    record Judged(UsageRecorded usage, String reason, String message, String source, String id, Instant time) {
    }

    private record MinuteKey(String subject, String dimension, String cloud, Instant minute) {
    }

    private final UsageCodec codec = new UsageCodec();
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final BillingProperties props;
    private final MeterRegistry meters;

    UsageIntake(JdbcClient jdbc, TransactionTemplate tx, Clock clock, BillingProperties props, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
        this.props = props;
        this.meters = meters;
    }

    @KafkaListener(id = "usage-intake", topics = Topics.USAGE, batch = "true")
    void on(List<ConsumerRecord<String, String>> records) {
        List<String> values = new ArrayList<>(records.size());
        records.forEach(r -> values.add(r.value()));
        accept(values);
    }

    /** Judges and records a batch of structured CloudEvents; returns how many were new. */
    int accept(List<String> cloudEvents) {
        Instant now = clock.instant();
        Instant closedThrough = closedThrough();
        List<Judged> judged = new ArrayList<>(cloudEvents.size());
        for (String value : cloudEvents) {
            judged.add(judge(value, now, closedThrough));
        }
        int[] outcome = tx.execute(status -> record(judged, now));
        count("accepted", null, outcome[0]);
        count("duplicate", null, outcome[1]);
        return outcome[0];
    }

    private Judged judge(String value, Instant now, Instant closedThrough) {
        UsageRecorded u;
        try {
            u = codec.decode(value);
        } catch (InvalidUsageException e) {
            var node = safeNode(value);
            return new Judged(null, e.reason(), e.getMessage(), text(node, "source"), text(node, "id"), null);
        }
        Instant hour = u.time().truncatedTo(ChronoUnit.HOURS);
        // the hour closes lateWindow after it ends; closedThrough guards hours a final flush already closed
        if (!hour.plus(1, ChronoUnit.HOURS).plus(props.lateWindow()).isAfter(now) || hour.isBefore(closedThrough)) {
            return new Judged(null, "too_late", "usage of " + hour + " arrived after its hour closed (late window "
                    + props.lateWindow() + ")", u.source(), u.id(), u.time());
        }
        if (u.time().isAfter(now.plus(props.futureSkew()))) {
            return new Judged(null, "in_the_future", "usage time " + u.time() + " is more than " + props.futureSkew()
                    + " ahead of " + now, u.source(), u.id(), u.time());
        }
        return new Judged(u, null, null, u.source(), u.id(), u.time());
    }

    private int[] record(List<Judged> judged, Instant now) {
        List<UsageRecorded> valid = new ArrayList<>();
        for (Judged j : judged) {
            if (j.usage() != null) {
                valid.add(j.usage());
            } else {
                reject(j, now);
            }
        }
        Set<String> fresh = markSeen(valid, now);
        Map<MinuteKey, long[]> minutes = new LinkedHashMap<>();
        int accepted = 0;
        for (UsageRecorded u : valid) {
            if (!fresh.remove(u.source() + "\u0000" + u.id())) {
                continue; // seen before, or twice in this batch
            }
            accepted++;
            String subject = u.subscriptionId() != null ? "sub:" + u.subscriptionId() : "org:" + u.organizationId();
            long[] sum = minutes.computeIfAbsent(new MinuteKey(subject, u.dimension(),
                    u.cloud() == null ? "" : u.cloud(), u.time().truncatedTo(ChronoUnit.MINUTES)), k -> new long[2]);
            sum[0] = Math.addExact(sum[0], u.quantityMicros());
            sum[1]++;
        }
        addToMinutes(minutes);
        return new int[] {accepted, valid.size() - accepted};
    }

    /** Inserts the (source, id) pairs; returns those that were not there yet. */
    private Set<String> markSeen(List<UsageRecorded> valid, Instant now) {
        Set<String> fresh = new HashSet<>();
        for (int from = 0; from < valid.size(); from += 500) {
            List<UsageRecorded> chunk = valid.subList(from, Math.min(valid.size(), from + 500));
            StringBuilder sql = new StringBuilder("INSERT INTO usage_event_seen (source, event_id, received_at) VALUES ");
            List<Object> params = new ArrayList<>(chunk.size() * 3);
            Timestamp at = Timestamp.from(now);
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "(?, ?, ?)" : ", (?, ?, ?)");
                params.add(chunk.get(i).source());
                params.add(chunk.get(i).id());
                params.add(at);
            }
            sql.append(" ON CONFLICT DO NOTHING RETURNING source, event_id");
            fresh.addAll(jdbc.sql(sql.toString()).params(params)
                    .query((rs, n) -> rs.getString(1) + "\u0000" + rs.getString(2)).list());
        }
        return fresh;
    }

    private void addToMinutes(Map<MinuteKey, long[]> minutes) {
        List<Map.Entry<MinuteKey, long[]>> entries = new ArrayList<>(minutes.entrySet());
        // a fixed order, so two consumers adding to the same rows cannot deadlock
        entries.sort(Map.Entry.comparingByKey(java.util.Comparator.comparing(MinuteKey::subject)
                .thenComparing(MinuteKey::dimension).thenComparing(MinuteKey::cloud).thenComparing(MinuteKey::minute)));
        for (int from = 0; from < entries.size(); from += 500) {
            List<Map.Entry<MinuteKey, long[]>> chunk = entries.subList(from, Math.min(entries.size(), from + 500));
            StringBuilder sql = new StringBuilder(
                    "INSERT INTO usage_minute (subject, dimension, cloud, minute_start, quantity_micros, events) VALUES ");
            List<Object> params = new ArrayList<>(chunk.size() * 6);
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "(?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?)");
                MinuteKey k = chunk.get(i).getKey();
                params.add(k.subject());
                params.add(k.dimension());
                params.add(k.cloud());
                params.add(Timestamp.from(k.minute()));
                params.add(chunk.get(i).getValue()[0]);
                params.add(chunk.get(i).getValue()[1]);
            }
            sql.append(" ON CONFLICT (subject, dimension, cloud, minute_start) DO UPDATE SET "
                    + "quantity_micros = usage_minute.quantity_micros + EXCLUDED.quantity_micros, "
                    + "events = usage_minute.events + EXCLUDED.events");
            jdbc.sql(sql.toString()).params(params).update();
        }
    }

    private void reject(Judged j, Instant now) {
        jdbc.sql("""
                INSERT INTO usage_rejection (source, event_id, reason, message, event_time, received_at)
                VALUES (:source, :id, :reason, :message, :time, :now)""")
                .param("source", clip(j.source(), 200)).param("id", clip(j.id(), 200)).param("reason", j.reason())
                .param("message", clip(j.message(), 500))
                .param("time", j.time() == null ? null : Timestamp.from(j.time())).param("now", Timestamp.from(now))
                .update();
        count("rejected", j.reason(), 1);
        log.info("refused usage {}/{}: {} ({})", j.source(), j.id(), j.reason(), j.message());
    }

    private Instant closedThrough() {
        return jdbc.sql("SELECT closed_through FROM hour_closing WHERE id = 1")
                .query((rs, n) -> rs.getTimestamp(1).toInstant()).optional().orElse(Instant.EPOCH);
    }

    private void count(String outcome, String reason, int n) {
        if (n > 0) {
            Counter.builder("marketbill.usage.ingested")
                    .description("Usage events taken from usage.v1 by outcome (accepted, duplicate, rejected) and reason")
                    .tag("outcome", outcome).tag("reason", reason == null ? "none" : reason)
                    .register(meters).increment(n);
        }
    }

    private tools.jackson.databind.JsonNode safeNode(String value) {
        try {
            return codec.parse(value);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String text(tools.jackson.databind.JsonNode node, String field) {
        if (node == null || !node.isObject() || node.get(field) == null || !node.get(field).isValueNode()) {
            return null;
        }
        return node.get(field).asString();
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
