package io.marketbill.binding.subscriptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.EventPayload;
import io.marketbill.contracts.SubscriptionClosed;
import io.marketbill.contracts.SubscriptionFrozen;
import io.marketbill.contracts.SubscriptionOpened;
import io.marketbill.contracts.Topics;
import io.marketbill.messaging.codec.EventCodec;
import io.marketbill.testsupport.Http;
import io.marketbill.testsupport.TestInfrastructure;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BindableSubscriptionsTest {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
    }

    @Autowired KafkaTemplate<String, String> kafka;
    @Autowired EventCodec codec;
    @LocalServerPort int port;

    private void publish(String id, EventPayload payload) throws Exception {
        EventEnvelope e = EventEnvelope.of(UUID.randomUUID(), Instant.now(), "gateway-service", id, payload);
        kafka.send(Topics.MARKETPLACE_SUBSCRIPTIONS, id, codec.encode(e)).get(10, TimeUnit.SECONDS);
    }

    private String body(String id) {
        return Http.get(port, "/api/bindings/subscriptions/" + id.replace(":", "%3A")).body();
    }

    @Test
    void anOpenedSubscriptionIsBindableUntilFrozenOrClosed() throws Exception {
        String id = "aliyun:" + UUID.randomUUID();
        publish(id, new SubscriptionOpened("cmgj00069406", "sku", true, "1880000000000002", "o", null, Map.of(),
                null, null));
        await().atMost(Duration.ofSeconds(20)).until(() -> body(id).contains("\"status\":\"OPEN\""));
        assertThat(body(id)).contains("\"bindable\":true").contains("\"trial\":true")
                .contains("\"marketplaceAccountId\":\"1880000000000002\"");
        publish(id, new SubscriptionFrozen("EXPIRED", null));
        await().atMost(Duration.ofSeconds(20)).until(() -> body(id).contains("\"status\":\"FROZEN\""));
        assertThat(body(id)).contains("\"bindable\":false");
        publish(id, new SubscriptionClosed(false, null, "RELEASED"));
        await().atMost(Duration.ofSeconds(20)).until(() -> body(id).contains("\"status\":\"CLOSED\""));
        assertThat(Http.get(port, "/api/bindings/subscriptions/aliyun%3Anone").statusCode()).isEqualTo(404);
    }
}
