package io.marketbill.gateway.publishing;

import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.EventTypes;
import io.marketbill.messaging.codec.EventCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Makes an event durable on Kafka (acks=all) before the gateway answers the marketplace (or a usage producer).
 * The gateway keeps no database: if this fails, the caller is told so and retries.
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
        return publish(event, timeout);
    }

    /** As {@link #publish(EventEnvelope)}, for a caller that must answer sooner than the default timeout. */
    public Mono<Void> publish(EventEnvelope event, Duration timeout) {
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

    /**
     * Completes once the broker acknowledged every record; errors if any could not be made durable in time (some
     * may have been, so callers must be able to send them again: usage is deduplicated by source and id).
     * {@code type} names them in {@code marketbill_events_produced_total}.
     */
    public Mono<Void> publishAll(List<ProducerRecord<String, String>> records, String type) {
        if (records.isEmpty()) {
            return Mono.empty();
        }
        AtomicBoolean abandoned = new AtomicBoolean();
        return Mono.fromCallable(() -> {
                    List<CompletableFuture<?>> sent = new ArrayList<>(records.size());
                    for (ProducerRecord<String, String> record : records) {
                        if (abandoned.get()) {
                            break; // the caller already gave up (timeout): it answered 503, nothing waits for these
                        }
                        CompletableFuture<?> f = kafka.send(record);
                        sent.add(f);
                        if (f.isCompletedExceptionally()) {
                            break; // no broker: each further send would wait max.block.ms for nothing
                        }
                    }
                    return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
                })
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(Mono::fromFuture)
                .timeout(timeout)
                .doFinally(signal -> abandoned.set(true))
                .doOnSuccess(r -> {
                    Map<String, Long> perTopic = new HashMap<>();
                    records.forEach(rec -> perTopic.merge(rec.topic(), 1L, Long::sum));
                    perTopic.forEach((topic, n) -> produced.computeIfAbsent(type + "@" + topic,
                            k -> Counter.builder("marketbill.events.produced").description("Events made durable on Kafka")
                                    .tag("topic", topic).tag("type", type).register(meters)).increment(n));
                })
                .then();
    }
}
