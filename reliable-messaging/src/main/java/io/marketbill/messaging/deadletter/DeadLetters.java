package io.marketbill.messaging.deadletter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.support.KafkaUtils;

/**
 * Where a consumer's given-up records go: published to {@code <topic>.<group>.dlt} (the reason in the
 * {@code kafka_dlt-*} headers) and recorded in the service's own table, which the API lists and replays from.
 */
public class DeadLetters implements ConsumerRecordRecoverer {

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
    private static final Pattern EVENT_ID = Pattern.compile("\"eventId\"\\s*:\\s*\"([0-9a-fA-F-]{36})\"");
    private static final Pattern EVENT_TYPE = Pattern.compile("\"type\"\\s*:\\s*\"([A-Za-z0-9_.-]{1,128})\"");
    static final String REPLAY_HEADER = "marketbill-replay-of";

    private final JdbcClient jdbc;
    private final KafkaTemplate<String, String> kafka;
    private final DeadLetterPublishingRecoverer publisher;
    private final String defaultGroup;
    private final Counter recorded;
    private final Counter replayed;

    public DeadLetters(JdbcClient jdbc, KafkaTemplate<String, String> kafka, String defaultGroup, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.kafka = kafka;
        this.defaultGroup = defaultGroup;
        // no partition: the dead-letter topic may have fewer partitions; the key keeps related records together
        this.publisher = new DeadLetterPublishingRecoverer(kafka,
                (record, ex) -> new TopicPartition(io.marketbill.contracts.Topics.deadLetter(record.topic(), group()), -1));
        this.recorded = Counter.builder("marketbill.dead.letters")
                .description("Records given up on after bounded retries").register(meters);
        this.replayed = Counter.builder("marketbill.dead.letters.replayed")
                .description("Dead letters sent back to their topic").register(meters);
        Gauge.builder("marketbill.dead.letters.pending", this, DeadLetters::countPending)
                .description("Dead letters not yet replayed").register(meters);
    }

    private String group() {
        String g = KafkaUtils.getConsumerGroupId();
        return g == null ? defaultGroup : g;
    }

    @Override
    public void accept(ConsumerRecord<?, ?> record, Exception exception) {
        String group = group();
        String dlt = io.marketbill.contracts.Topics.deadLetter(record.topic(), group);
        // publish first: if recording fails afterwards the record is retried, and the unique key makes the
        // second recording a no-op
        publisher.accept(record, exception);
        Throwable cause = rootCause(exception);
        String value = record.value() == null ? null : String.valueOf(record.value());
        int inserted = jdbc.sql("""
                INSERT INTO dead_letter (consumer_group, topic, kafka_partition, kafka_offset, dead_letter_topic,
                    message_key, payload, event_id, event_type, subscription_id, exception_class, exception_message)
                VALUES (:group, :topic, :partition, :offset, :dlt, :key, :payload, :eventId, :eventType, :key,
                    :exClass, :exMessage)
                ON CONFLICT DO NOTHING""")
                .param("group", group)
                .param("topic", record.topic())
                .param("partition", record.partition())
                .param("offset", record.offset())
                .param("dlt", dlt)
                .param("key", record.key() == null ? null : String.valueOf(record.key()))
                .param("payload", value)
                .param("eventId", find(EVENT_ID, value))
                .param("eventType", find(EVENT_TYPE, value))
                .param("exClass", cause.getClass().getName())
                .param("exMessage", cause.getMessage())
                .update();
        if (inserted > 0) {
            recorded.increment();
        }
        log.error("gave up on {}-{}@{} key={} after retries, sent to {}: {}", record.topic(), record.partition(),
                record.offset(), record.key(), dlt, cause.toString());
    }

    public List<DeadLetter> list(boolean pendingOnly, int limit) {
        return jdbc.sql("SELECT * FROM dead_letter " + (pendingOnly ? "WHERE replayed_at IS NULL " : "")
                        + "ORDER BY id LIMIT :limit")
                .param("limit", limit)
                .query(DeadLetters::map)
                .list();
    }

    public Optional<DeadLetter> find(long id) {
        return jdbc.sql("SELECT * FROM dead_letter WHERE id = :id").param("id", id).query(DeadLetters::map).optional();
    }

    /** Sends the record back to its original topic with its key, and marks it replayed. */
    public Optional<DeadLetter> replay(long id) {
        Optional<DeadLetter> found = find(id);
        if (found.isEmpty()) {
            return found;
        }
        DeadLetter d = found.get();
        ProducerRecord<String, String> out = new ProducerRecord<>(d.topic(), d.key(), d.payload());
        out.headers().add(REPLAY_HEADER, Long.toString(id).getBytes(StandardCharsets.UTF_8));
        try {
            kafka.send(out).get(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while replaying dead letter " + id, e);
        } catch (Exception e) {
            throw new IllegalStateException("could not replay dead letter " + id + ": " + rootCause(e).getMessage(), e);
        }
        jdbc.sql("UPDATE dead_letter SET replay_count = replay_count + 1, replayed_at = now() WHERE id = :id")
                .param("id", id).update();
        replayed.increment();
        log.info("replayed dead letter {} to {} key={}", id, d.topic(), d.key());
        return find(id);
    }

    private double countPending() {
        try {
            return jdbc.sql("SELECT count(*) FROM dead_letter WHERE replayed_at IS NULL").query(Long.class).single();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    private static String find(Pattern p, String value) {
        if (value == null) {
            return null;
        }
        Matcher m = p.matcher(value);
        return m.find() ? m.group(1) : null;
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }

    private static DeadLetter map(ResultSet rs, int i) throws SQLException {
        return new DeadLetter(rs.getLong("id"), rs.getString("consumer_group"), rs.getString("topic"),
                rs.getInt("kafka_partition"), rs.getLong("kafka_offset"), rs.getString("dead_letter_topic"),
                rs.getString("message_key"), rs.getString("event_id"), rs.getString("event_type"),
                rs.getString("subscription_id"), rs.getString("exception_class"), rs.getString("exception_message"),
                instant(rs.getTimestamp("failed_at")), rs.getInt("replay_count"), instant(rs.getTimestamp("replayed_at")),
                rs.getString("payload"));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
