package io.marketbill.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.SubscriptionClosed;
import io.marketbill.contracts.SubscriptionOpened;
import io.marketbill.messaging.codec.EventCodec;
import io.marketbill.messaging.outbox.Outbox;
import io.marketbill.testsupport.TestInfrastructure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/** The shared machinery against a real KRaft broker and real PostgreSQL. */
@SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ReliableMessagingTest {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
    }

    @Autowired Outbox outbox;
    @Autowired TransactionTemplate tx;
    @Autowired JdbcClient jdbc;
    @Autowired EventCodec codec;
    @Autowired KafkaTemplate<String, String> kafka;
    @Autowired TestApp.RecordingConsumer consumer;
    @LocalServerPort int port;

    private final HttpClient http = HttpClient.newHttpClient();

    private static EventEnvelope opened(String subscriptionId) {
        return EventEnvelope.of(UUID.randomUUID(), Instant.parse("2026-11-22T08:00:00Z"), "test", subscriptionId,
                new SubscriptionOpened("cmgj00063418", "sku", false, "1001", "o-1", null, Map.of(), null, null));
    }

    private void send(EventEnvelope e) throws Exception {
        kafka.send(TestApp.TOPIC, e.subscriptionId(), codec.encode(e)).get(10, TimeUnit.SECONDS);
    }

    private long applied(UUID eventId) {
        return jdbc.sql("SELECT count(*) FROM applied_event WHERE event_id = :id").param("id", eventId)
                .query(Long.class).single();
    }

    private KafkaConsumer<String, String> reader(String topic) {
        KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafkaBrokers(),
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    private static List<ConsumerRecord<String, String>> readUntil(KafkaConsumer<String, String> c, int count) {
        return read(c, count, Duration.ofSeconds(30));
    }

    private static List<ConsumerRecord<String, String>> read(KafkaConsumer<String, String> c, int count, Duration max) {
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        long deadline = System.nanoTime() + max.toNanos();
        while (got.size() < count && System.nanoTime() < deadline) {
            c.poll(Duration.ofMillis(200)).forEach(got::add);
        }
        return got;
    }

    @Test
    void outboxPublishesCommittedEventsInOrderPerKeyAndNothingFromRolledBackTransactions() {
        String topic = "rm-test.outbox." + UUID.randomUUID();
        String key = "aliyun:outbox-" + UUID.randomUUID();
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            EventEnvelope e = opened(key);
            ids.add(e.eventId());
            tx.executeWithoutResult(s -> outbox.append(topic, e));
        }
        EventEnvelope rolledBack = opened(key);
        assertThatThrownBy(() -> tx.executeWithoutResult(s -> {
            outbox.append(topic, rolledBack);
            throw new IllegalStateException("state change failed");
        })).hasMessage("state change failed");

        try (KafkaConsumer<String, String> c = reader(topic)) {
            List<ConsumerRecord<String, String>> got = readUntil(c, 30);
            assertThat(got).allSatisfy(r -> assertThat(r.key()).isEqualTo(key));
            assertThat(got.stream().map(r -> codec.decode(r.value()).eventId()).toList()).isEqualTo(ids);
            // and nothing more: the rolled back event never appears
            assertThat(read(c, 1, Duration.ofSeconds(3))).isEmpty();
        }
        await().atMost(Duration.ofSeconds(10)).until(() ->
                jdbc.sql("SELECT count(*) FROM outbox_event").query(Long.class).single() == 0);
    }

    @Test
    void outboxRefusesToAppendOutsideATransaction() {
        assertThatThrownBy(() -> outbox.append("t", opened("aliyun:x")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("inside the transaction");
    }

    @Test
    void aRedeliveredEventIsAppliedOnce() throws Exception {
        EventEnvelope e = opened("aliyun:dup-" + UUID.randomUUID());
        send(e);
        send(e);
        send(e);
        EventEnvelope after = opened(e.subscriptionId());
        send(after);
        await().atMost(Duration.ofSeconds(20)).until(() -> applied(after.eventId()) == 1);
        assertThat(applied(e.eventId())).isEqualTo(1);
    }

    @Test
    void poisonGoesToTheDeadLetterTopicAfterBoundedRetriesTheNextIsAppliedAndReplayWorksOnceFixed() throws Exception {
        String key = "aliyun:poison-" + UUID.randomUUID();
        EventEnvelope poison = opened(key);
        EventEnvelope next = EventEnvelope.of(UUID.randomUUID(), Instant.now(), "test", key,
                new SubscriptionClosed(false, null, "RELEASED"));
        consumer.brokenFor.add(poison.eventId());
        consumer.attempts.set(0);
        send(poison);
        send(next);

        // the consumer goes on with the next record of the same partition
        await().atMost(Duration.ofSeconds(30)).until(() -> applied(next.eventId()) == 1);
        assertThat(applied(poison.eventId())).isZero();
        assertThat(consumer.attempts.get()).as("bounded: max-attempts = 3").isEqualTo(3);

        String dltTopic = TestApp.TOPIC + ".rm-test.dlt";
        try (KafkaConsumer<String, String> c = reader(dltTopic)) {
            List<ConsumerRecord<String, String>> dlt = read(c, 50, Duration.ofSeconds(5)).stream()
                    .filter(r -> r.key().equals(key)).toList();
            assertThat(dlt).hasSize(1);
            assertThat(codec.decode(dlt.get(0).value()).eventId()).isEqualTo(poison.eventId());
            assertThat(new String(dlt.get(0).headers().lastHeader("kafka_dlt-exception-message").value()))
                    .contains("cannot apply");
        }

        HttpResponse<String> list = http.send(HttpRequest.newBuilder(uri("/api/dead-letters")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains(poison.eventId().toString()).contains("cannot apply");
        long id = jdbc.sql("SELECT id FROM dead_letter WHERE event_id = :e").param("e", poison.eventId().toString())
                .query(Long.class).single();

        // the fix is deployed; the operator replays
        consumer.brokenFor.remove(poison.eventId());
        HttpResponse<String> replay = http.send(HttpRequest.newBuilder(uri("/api/dead-letters/" + id + "/replay"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(replay.body()).contains("\"replayCount\":1");
        await().atMost(Duration.ofSeconds(20)).until(() -> applied(poison.eventId()) == 1);

        HttpResponse<String> pending = http.send(HttpRequest.newBuilder(uri("/api/dead-letters?state=pending")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(pending.body()).doesNotContain(poison.eventId().toString());
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(uri("/api/dead-letters/999999/replay"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
    }

    @Test
    void malformedRecordsAreDeadLetteredWithoutRetriesAndTheConsumerGoesOn() throws Exception {
        String key = "aliyun:malformed-" + UUID.randomUUID();
        kafka.send(new ProducerRecord<>(TestApp.TOPIC, key, "{not json")).get(10, TimeUnit.SECONDS);
        EventEnvelope next = opened(key);
        send(next);
        await().atMost(Duration.ofSeconds(20)).until(() -> applied(next.eventId()) == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.sql(
                        "SELECT count(*) FROM dead_letter WHERE message_key = :k AND exception_class LIKE '%Malformed%'")
                .param("k", key).query(Long.class).single() == 1);
    }

    @Test
    void healthReportsKafkaAndDatabaseAndMetricsAreExported() throws Exception {
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(uri("/actuator/health/readiness")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"kafka\"").contains("\"db\"").contains("\"UP\"");
        // which components are up, to anyone; what they are (the Kafka cluster, the database) only to operators
        assertThat(ready.body()).doesNotContain("clusterId").doesNotContain("\"details\"");
        HttpResponse<String> prom = http.send(HttpRequest.newBuilder(uri("/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(prom.statusCode()).isEqualTo(200);
        assertThat(prom.body()).contains("marketbill_outbox_backlog").contains("marketbill_dead_letters_pending");
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
