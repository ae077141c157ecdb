package io.marketbill.binding;

import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.Topics;
import io.marketbill.messaging.codec.EventCodec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.kafka.annotation.KafkaListener;

/** Everything binding-service published on binding.v1, by subscription id. */
@TestConfiguration
public class BindingEventRecorder {
    static final Map<String, List<EventEnvelope>> BY_KEY = new ConcurrentHashMap<>();
    private final EventCodec codec;

    BindingEventRecorder(EventCodec codec) {
        this.codec = codec;
    }

    @KafkaListener(topics = Topics.BINDING, groupId = "binding-test-recorder")
    void on(ConsumerRecord<String, String> record) {
        BY_KEY.computeIfAbsent(record.key(), k -> new CopyOnWriteArrayList<>()).add(codec.decode(record.value()));
    }
}
