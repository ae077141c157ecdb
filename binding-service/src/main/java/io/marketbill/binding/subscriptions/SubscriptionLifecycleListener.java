package io.marketbill.binding.subscriptions;

import io.marketbill.binding.bindings.Bindings;
import io.marketbill.contracts.Topics;
import io.marketbill.messaging.inbox.InboundEvents;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** Lifecycle events update the projection and what the bindings cause, in one transaction, once per event. */
@Component
class SubscriptionLifecycleListener {

    private final BindableSubscriptions subscriptions;
    private final Bindings bindings;
    private final InboundEvents inbound;

    SubscriptionLifecycleListener(BindableSubscriptions subscriptions, Bindings bindings, InboundEvents inbound) {
        this.subscriptions = subscriptions;
        this.bindings = bindings;
        this.inbound = inbound;
    }

    @KafkaListener(topics = Topics.MARKETPLACE_SUBSCRIPTIONS)
    void on(ConsumerRecord<String, String> record) {
        inbound.process(record, e -> {
            subscriptions.apply(e);
            bindings.onLifecycle(e);
        });
    }
}
