package io.marketbill.messaging;

import io.marketbill.contracts.EventEnvelope;
import io.marketbill.messaging.inbox.InboundEvents;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** A minimal service using the machinery the way the real services do. */
@SpringBootApplication
class TestApp {

    static final String TOPIC = "rm-test.subscriptions";

    /** A consumer that cannot handle some events until it is "fixed" (a new release, in real life). */
    @Component
    static class RecordingConsumer {
        final Set<UUID> brokenFor = ConcurrentHashMap.newKeySet();
        final AtomicInteger attempts = new AtomicInteger();
        private final InboundEvents inbound;
        private final JdbcClient jdbc;

        RecordingConsumer(InboundEvents inbound, JdbcClient jdbc) {
            this.inbound = inbound;
            this.jdbc = jdbc;
        }

        @KafkaListener(topics = TOPIC)
        void on(ConsumerRecord<String, String> record) {
            inbound.process(record, this::apply);
        }

        private void apply(EventEnvelope event) {
            if (brokenFor.contains(event.eventId())) {
                attempts.incrementAndGet();
                throw new IllegalStateException("cannot apply " + event.eventId() + " yet");
            }
            jdbc.sql("INSERT INTO applied_event (event_id, subscription_id) VALUES (:id, :sub)")
                    .param("id", event.eventId()).param("sub", event.subscriptionId()).update();
        }
    }
}
