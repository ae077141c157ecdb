package io.marketbill.messaging.inbox;

import io.marketbill.contracts.EventEnvelope;
import io.marketbill.messaging.codec.EventCodec;
import io.marketbill.messaging.codec.UnknownEventTypeException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.support.KafkaUtils;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Applies an incoming event exactly once per consumer: the event id is recorded in the processed-event
 * table in the same transaction as the handler's changes (and any outbox events it appends), so a
 * redelivered record is dropped. Failures propagate to the container's error handler (bounded retries,
 * then the dead-letter topic).
 */
public class InboundEvents {

    private static final Logger log = LoggerFactory.getLogger(InboundEvents.class);

    private final EventCodec codec;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final MeterRegistry meters;
    private final String defaultConsumer;

    public InboundEvents(EventCodec codec, JdbcClient jdbc, TransactionTemplate tx, MeterRegistry meters,
                         String defaultConsumer) {
        this.codec = codec;
        this.jdbc = jdbc;
        this.tx = tx;
        this.meters = meters;
        this.defaultConsumer = defaultConsumer;
    }

    /** Decodes the record and runs the handler once for its event id, in one transaction. */
    public void process(ConsumerRecord<String, String> record, Consumer<EventEnvelope> handler) {
        String consumer = consumerName();
        MDC.put("subscriptionId", record.key() == null ? "" : record.key());
        try {
            EventEnvelope event;
            try {
                event = codec.decode(record.value());
            } catch (UnknownEventTypeException e) {
                count(consumer, e.type(), "ignored");
                log.info("skipping unknown event type {} at {}-{}@{}", e.type(), record.topic(), record.partition(),
                        record.offset());
                return;
            }
            if (event.subscriptionId() != null) { // directory events have none; the key stays in the MDC
                MDC.put("subscriptionId", event.subscriptionId());
            }
            Boolean applied = tx.execute(status -> applyOnce(consumer, event, handler));
            if (Boolean.TRUE.equals(applied)) {
                count(consumer, event.type(), "applied");
                log.debug("{} applied {} {}", consumer, event.type(), event.eventId());
            } else {
                count(consumer, event.type(), "duplicate");
                log.info("{} dropped repeated {} {}", consumer, event.type(), event.eventId());
            }
        } catch (RuntimeException e) {
            count(consumer, "unknown", "failed");
            throw e;
        } finally {
            MDC.remove("subscriptionId");
        }
    }

    /**
     * Applies an event this service recorded itself (e.g. through an admin API) and marks it processed, inside the
     * caller's transaction; when the same event later arrives from Kafka, {@link #process} drops it.
     *
     * @return false when the event had already been applied
     */
    public boolean applyOnce(EventEnvelope event, Consumer<EventEnvelope> handler) {
        return applyOnce(defaultConsumer, event, handler);
    }

    /** Marks the event processed for the consumer and applies it, unless it already was; in the caller's transaction. */
    private boolean applyOnce(String consumer, EventEnvelope event, Consumer<EventEnvelope> handler) {
        int inserted = jdbc.sql("""
                INSERT INTO processed_event (consumer, event_id) VALUES (:consumer, :eventId)
                ON CONFLICT DO NOTHING""")
                .param("consumer", consumer)
                .param("eventId", event.eventId())
                .update();
        if (inserted == 0) {
            return false;
        }
        handler.accept(event);
        return true;
    }

    private String consumerName() {
        String group = KafkaUtils.getConsumerGroupId();
        return group == null ? defaultConsumer : group;
    }

    private void count(String consumer, String type, String outcome) {
        Counter.builder("marketbill.events.consumed")
                .description("Events taken from Kafka by outcome: applied, duplicate, ignored, failed")
                .tag("consumer", consumer).tag("type", type).tag("outcome", outcome)
                .register(meters).increment();
    }
}
