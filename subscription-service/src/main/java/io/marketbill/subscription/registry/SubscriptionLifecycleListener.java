package io.marketbill.subscription.registry;

import io.marketbill.contracts.Topics;
import io.marketbill.messaging.inbox.InboundEvents;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** Applies the marketplace lifecycle events to the registry, once each. */
@Component
class SubscriptionLifecycleListener {

    private final InboundEvents inbound;
    private final SubscriptionRegistry registry;

    SubscriptionLifecycleListener(InboundEvents inbound, SubscriptionRegistry registry) {
        this.inbound = inbound;
        this.registry = registry;
    }

    @KafkaListener(topics = Topics.MARKETPLACE_SUBSCRIPTIONS)
    void on(ConsumerRecord<String, String> record) {
        inbound.process(record, registry::apply);
    }
}
