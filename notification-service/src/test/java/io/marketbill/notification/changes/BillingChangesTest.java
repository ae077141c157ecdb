package io.marketbill.notification.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.SubscriptionClosed;
import io.marketbill.contracts.SubscriptionOpened;
import io.marketbill.contracts.Topics;
import io.marketbill.messaging.codec.EventCodec;
import io.marketbill.testsupport.Http;
import io.marketbill.testsupport.OpenApiCoverage;
import io.marketbill.testsupport.TestInfrastructure;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@org.springframework.test.annotation.DirtiesContext(classMode = org.springframework.test.annotation.DirtiesContext.ClassMode.AFTER_CLASS)
class BillingChangesTest {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
    }

    @Autowired KafkaTemplate<String, String> kafka;
    @Autowired EventCodec codec;
    @LocalServerPort int port;

    @Test
    void eachBillingChangeIsRecordedOnceInOrder() throws Exception {
        String id = "aliyun:" + UUID.randomUUID();
        EventEnvelope opened = EventEnvelope.of(UUID.randomUUID(), Instant.parse("2026-11-22T08:00:00Z"), "gateway-service",
                id, new SubscriptionOpened("cmgj00053362", "sku", false, "1", "o", null, Map.of(), null, null));
        EventEnvelope closed = EventEnvelope.of(UUID.randomUUID(), Instant.parse("2026-11-22T09:00:00Z"), "gateway-service",
                id, new SubscriptionClosed(false, null, "RELEASED"));
        for (EventEnvelope e : new EventEnvelope[] {opened, opened, closed}) {
            kafka.send(Topics.MARKETPLACE_SUBSCRIPTIONS, id, codec.encode(e)).get(10, TimeUnit.SECONDS);
        }
        String path = "/api/notifications/subscriptions/" + id.replace(":", "%3A") + "/changes";
        await().atMost(Duration.ofSeconds(20)).until(() -> Http.getAsOperator(port, path).body().contains("CHANNEL_CLOSED"));
        String body = Http.getAsOperator(port, path).body();
        assertThat(body).containsSubsequence("CHANNEL_OPENED", "cmgj00053362", "CHANNEL_CLOSED");
        assertThat(body.split("CHANNEL_OPENED", -1)).hasSize(2);
    }

    @Test
    void theOpenApiDocumentDescribesEveryEndpointTheServiceServes(
            @Autowired @Qualifier("requestMappingHandlerMapping") RequestMappingHandlerMapping handlers) {
        assertThat(OpenApiCoverage.assertDescribesEverything(port, handlers))
                .contains(new OpenApiCoverage.Endpoint("GET", "/api/dead-letters"),
                        new OpenApiCoverage.Endpoint("POST", "/api/notifications/mails/{id}/resend"));
    }
}
