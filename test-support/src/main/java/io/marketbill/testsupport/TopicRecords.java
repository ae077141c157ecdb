package io.marketbill.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads what a test's code published: the values of one key on a topic of the embedded broker. */
public final class TopicRecords {

    private TopicRecords() {
    }

    /** Every value with this key from the start of the topic, read for {@code window}. */
    public static List<String> values(String topic, String key, Duration window) {
        List<String> got = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBrokers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(topic));
            long until = System.nanoTime() + window.toNanos();
            while (System.nanoTime() < until) {
                c.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (key.equals(r.key())) {
                        got.add(r.value());
                    }
                });
            }
        }
        return got;
    }
}
