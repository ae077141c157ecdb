package io.marketbill.messaging.outbox;

import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.EventTypes;
import io.marketbill.messaging.codec.EventCodec;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Records events in the caller's database transaction, so that a state change and the events it causes
 * commit together; {@link OutboxRelay} publishes them afterwards, in order, keyed by subscription id.
 */
public class Outbox {

    private final JdbcClient jdbc;
    private final EventCodec codec;
    private final OutboxRelay relay;

    public Outbox(JdbcClient jdbc, EventCodec codec, OutboxRelay relay) {
        this.jdbc = jdbc;
        this.codec = codec;
        this.relay = relay;
    }

    /** Appends an event to the topic its type belongs to. Must run inside a transaction. */
    public void append(EventEnvelope event) {
        append(EventTypes.byName(event.type()).orElseThrow().topic(), event);
    }

    public void append(String topic, EventEnvelope event) {
        append(topic, event.subscriptionId(), event);
    }

    /** Appends with an explicit record key: for events that are not about a subscription (the directory). */
    public void append(String topic, String key, EventEnvelope event) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            // outside a transaction the event could commit without its state change, or the other way round
            throw new IllegalStateException("Outbox.append must be called inside the transaction of the state change");
        }
        jdbc.sql("""
                INSERT INTO outbox_event (topic, message_key, event_id, event_type, payload)
                VALUES (:topic, :key, :eventId, :type, :payload)""")
                .param("topic", topic)
                .param("key", key)
                .param("eventId", event.eventId())
                .param("type", event.type())
                .param("payload", codec.encode(event))
                .update();
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                relay.wakeUp();
            }
        });
    }
}
