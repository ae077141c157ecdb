package io.marketbill.billing.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.EventPayload;
import io.marketbill.contracts.SubscriptionClosed;
import io.marketbill.contracts.SubscriptionFrozen;
import io.marketbill.contracts.SubscriptionOpened;
import io.marketbill.contracts.SubscriptionResumed;
import io.marketbill.contracts.Topics;
import io.marketbill.testsupport.Http;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MeteringSwitchTest extends io.marketbill.billing.BillingTestBase {

    private void publish(String id, Instant at, EventPayload payload) throws Exception {
        publish(id, at, "gateway-service", payload);
    }

    private void publish(String id, Instant at, String producer, EventPayload payload) throws Exception {
        EventEnvelope e = EventEnvelope.of(UUID.randomUUID(), at, producer, id, payload);
        kafka.send(Topics.MARKETPLACE_SUBSCRIPTIONS, id, codec.encode(e)).get(10, TimeUnit.SECONDS);
    }

    private void openedAtEight(String id) throws Exception {
        publish(id, Instant.parse("2026-11-22T08:00:00Z"),
                new SubscriptionOpened("cmgj00063418", "sku", false, "1", "o", null, Map.of(), null, null));
    }

    private String body(String id) {
        return Http.getAsOperator(port, "/api/billing/subscriptions/" + id.replace(":", "%3A")).body();
    }

    @Test
    void billingPausesFromTheMomentOfFreezingAndEndsOnClose() throws Exception {
        String id = "aliyun:" + UUID.randomUUID();
        openedAtEight(id);
        publish(id, Instant.parse("2026-11-22T09:20:00Z"), new SubscriptionFrozen("EXPIRED", null));
        publish(id, Instant.parse("2026-11-22T09:20:00Z"), new SubscriptionFrozen("EXPIRED", null));
        publish(id, Instant.parse("2026-11-22T10:00:00Z"), new SubscriptionResumed(null, null));
        publish(id, Instant.parse("2026-11-22T11:00:00Z"), new SubscriptionClosed(false, null, "RELEASED"));
        await().atMost(Duration.ofSeconds(20)).until(() -> body(id).contains("\"metering\":\"ENDED\""));
        // a second freeze changes nothing: one period change per real switch
        assertThat(periods(id)).containsExactly("BILLING@2026-11-22T08:00:00Z", "PAUSED@2026-11-22T09:20:00Z",
                "BILLING@2026-11-22T10:00:00Z", "ENDED@2026-11-22T11:00:00Z");
    }

    private java.util.List<String> periods(String id) {
        var periods = tools.jackson.databind.json.JsonMapper.builder().build().readTree(body(id)).path("periods");
        java.util.List<String> seen = new java.util.ArrayList<>();
        periods.forEach(p -> seen.add(p.path("metering").asString() + "@" + p.path("changedAt").asString()));
        return seen;
    }

    @Test
    void aResumeOrFreezeThatHappenedBeforeTheCloseButCameAfterItIsMeteredFromWhenItHappened() throws Exception {
        // subscription-service derives the resume of a renewed frozen subscription (and the freeze of a refunded
        // renewal) and publishes it from its outbox; the gateway publishes the release directly: it can come first
        String resumed = "aliyun:" + UUID.randomUUID();
        openedAtEight(resumed);
        publish(resumed, Instant.parse("2026-11-22T09:20:00Z"), new SubscriptionFrozen("EXPIRED", null));
        publish(resumed, Instant.parse("2026-11-22T11:00:00Z"), new SubscriptionClosed(false, null, "RELEASED"));
        // a resume after the close is no resume: nothing is metered after the end
        publish(resumed, Instant.parse("2026-11-22T12:00:00Z"), new SubscriptionResumed(null, null));
        publish(resumed, Instant.parse("2026-11-22T10:00:00Z"), "subscription-service",
                new SubscriptionResumed(null, null));
        String frozen = "aliyun:" + UUID.randomUUID();
        openedAtEight(frozen);
        publish(frozen, Instant.parse("2026-11-22T11:00:00Z"), new SubscriptionClosed(false, null, "RELEASED"));
        publish(frozen, Instant.parse("2026-11-22T10:00:00Z"), "subscription-service",
                new SubscriptionFrozen("RENEWAL_REFUNDED", null));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(periods(resumed)).containsExactly(
                "BILLING@2026-11-22T08:00:00Z", "PAUSED@2026-11-22T09:20:00Z", "BILLING@2026-11-22T10:00:00Z",
                "ENDED@2026-11-22T11:00:00Z"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(periods(frozen)).containsExactly(
                "BILLING@2026-11-22T08:00:00Z", "PAUSED@2026-11-22T10:00:00Z", "ENDED@2026-11-22T11:00:00Z"));
        assertThat(body(resumed)).contains("\"metering\":\"ENDED\"");
    }
}
