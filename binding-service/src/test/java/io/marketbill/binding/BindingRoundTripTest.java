package io.marketbill.binding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketbill.binding.bindings.Bindings.Proof;
import io.marketbill.contracts.DirectoryEvent;
import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.EventPayload;
import io.marketbill.contracts.MemberAdded;
import io.marketbill.contracts.MemberRoleChanged;
import io.marketbill.contracts.OrganizationCreated;
import io.marketbill.contracts.SubscriptionClosed;
import io.marketbill.contracts.SubscriptionFrozen;
import io.marketbill.contracts.SubscriptionOpened;
import io.marketbill.contracts.Topics;
import io.marketbill.testsupport.Http;
import io.marketbill.testsupport.TestTokens;
import io.marketbill.testsupport.TopicRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.KafkaTemplate;

/** One real round trip: the vendor's directory and the marketplace's lifecycle in over Kafka, decisions out. */
class BindingRoundTripTest extends BindingServiceTestBase {

    @Autowired KafkaTemplate<String, String> kafka;

    private void lifecycleOverKafka(String id, EventPayload payload) throws Exception {
        EventEnvelope e = EventEnvelope.of(UUID.randomUUID(), Instant.now(), "gateway-service", id, payload);
        kafka.send(Topics.MARKETPLACE_SUBSCRIPTIONS, id, codec.encode(e)).get(10, TimeUnit.SECONDS);
    }

    private void directoryOverKafka(String key, DirectoryEvent payload) throws Exception {
        EventEnvelope e = EventEnvelope.ofDirectory(UUID.randomUUID(), Instant.now(), "vendor-platform", payload);
        kafka.send(Topics.DIRECTORY, key, codec.encode(e)).get(10, TimeUnit.SECONDS);
    }

    private String subscription(String id) {
        return Http.request(port, "GET", "/api/bindings/subscriptions/" + id.replace(":", "%3A"), null,
                "Authorization", TestTokens.bearer(TestTokens.operator("op"))).body();
    }

    @Test
    void directoryAndLifecycleInBindingDecisionsOut() throws Exception {
        String org = unique("org");
        String alice = unique("u-alice");
        directoryOverKafka(org, new OrganizationCreated(org, "Acme over Kafka", "cn-hangzhou"));
        directoryOverKafka(org, new MemberAdded(org, alice, "MEMBER", "alice@example.com", "Alice", "en"));
        directoryOverKafka(org, new MemberRoleChanged(org, alice, "ADMIN"));
        String sub = "aliyun:" + UUID.randomUUID();
        lifecycleOverKafka(sub, new SubscriptionOpened(ZILLIZ, "sku", true, "1880000000000002", "o", null, Map.of(),
                null, null));

        await().atMost(Duration.ofSeconds(20)).until(() -> subscription(sub).contains("\"status\":\"OPEN\"")
                && bindings.choices(alice, sub).anyBindable());
        assertThat(subscription(sub)).contains("\"bindable\":true").contains("\"trial\":true")
                .contains("\"marketplaceAccountId\":\"1880000000000002\"");
        assertThat(bindings.bind(alice, sub, org, Proof.LOGIN_TICKET, null).bound()).isTrue();

        lifecycleOverKafka(sub, new SubscriptionFrozen("EXPIRED", null));
        await().atMost(Duration.ofSeconds(20)).until(() -> subscription(sub).contains("\"status\":\"FROZEN\""));
        assertThat(subscription(sub)).contains("\"bindable\":false");
        lifecycleOverKafka(sub, new SubscriptionClosed(false, null, "RELEASED"));
        await().atMost(Duration.ofSeconds(20)).until(() -> subscription(sub).contains("\"status\":\"CLOSED\""));

        // the decisions, in order, on binding.v1 under the subscription's key (Zilliz: freezes the organization)
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(TopicRecords.values(Topics.BINDING, sub,
                Duration.ofSeconds(1)).stream().map(v -> codec.decode(v).type()))
                .containsExactly("SubscriptionBound", "BillingChannelChanged", "OrgFrozen", "SubscriptionUnbound"));
        assertThat(Http.request(port, "GET", "/api/bindings/subscriptions/aliyun%3Anone", null, "Authorization",
                TestTokens.bearer(TestTokens.operator("op"))).statusCode()).isEqualTo(404);
    }

    @Test
    void directoryChangesMadeHereArePublishedForTheOtherServices() {
        String org = unique("org");
        directory.record(new OrganizationCreated(org, "Made by the admin API", null));
        assertThat(TopicRecords.values(Topics.DIRECTORY, org, Duration.ofSeconds(3))).singleElement()
                .satisfies(v -> assertThat(codec.decode(v).payload())
                        .isEqualTo(new OrganizationCreated(org, "Made by the admin API", null)));
    }
}
