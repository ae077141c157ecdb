package io.marketbill.gateway.publishing;

import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.EventTypes;
import io.marketbill.messaging.codec.EventCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Makes an event durable on Kafka (acks=all) before the gateway answers the marketplace. The gateway keeps
 * no database: if this fails, the marketplace is told so and retries.
 */
@Component
public class LifecycleEventPublisher {

    private final KafkaTemplate<String, String> kafka;
    private final EventCodec codec;
    private final MeterRegistry meters;
    private final Duration timeout;
    private final java.util.Map<String, Counter> produced = new java.util.concurrent.ConcurrentHashMap<>();

    LifecycleEventPublisher(KafkaTemplate<String, String> kafka, EventCodec codec, MeterRegistry meters,
                            @Value("${marketbill.publish-timeout:8s}") Duration timeout) {
        this.kafka = kafka;
        this.codec = codec;
        this.meters = meters;
        this.timeout = timeout;
    }

    /** Completes once the broker acknowledged the event; errors if it could not be made durable in time. */
    public Mono<Void> publish(EventEnvelope event) {
        String topic = EventTypes.byName(event.type()).orElseThrow().topic();
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, event.subscriptionId(), codec.encode(event));
        // send() may block up to max.block.ms while metadata is missing (broker down): keep it off the event loop
        return Mono.fromCallable(() -> kafka.send(record))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(Mono::fromFuture)
                .timeout(timeout)
                .doOnSuccess(r -> produced.computeIfAbsent(event.type(), type -> Counter.builder("marketbill.events.produced")
                        .description("Events made durable on Kafka").tag("topic", topic).tag("type", type)
                        .register(meters)).increment())
                .then();
    }
}
