package io.marketbill.billing.overview;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketbill.billing.BillingTestBase;
import io.marketbill.contracts.BillingChannelChanged;
import io.marketbill.contracts.BindingEvent;
import io.marketbill.contracts.DeploymentsDeletionScheduled;
import io.marketbill.contracts.DeploymentsStopRequested;
import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.OrgFrozen;
import io.marketbill.contracts.OrgUnfrozen;
import io.marketbill.contracts.OrganizationBilling;
import io.marketbill.contracts.OrganizationBilling.State;
import io.marketbill.contracts.SubscriptionBound;
import io.marketbill.contracts.SubscriptionUnbound;
import io.marketbill.contracts.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The overview names the state binding-service's organization record names, at each step of a story told by the
 * binding.v1 events binding-service emits (R10-R15). The expected states are the rules', written here; beside them,
 * the overview must equal the fold of the events sent (the fold binding-service's record is).
 */
class OverviewStatesTest extends BillingTestBase {

    static final String ZILLIZ = "cmgj00063418";
    static final String ZILLIZ_AWS = "zilliz-cloud-aws-cn";

    private final List<EventEnvelope> sent = new ArrayList<>();

    private Instant at(int minute) {
        return hour.plus(Duration.ofMinutes(minute));
    }

    @Test
    void theOverviewNamesEachStateOfAnOrganizationAsItsRecordDoes() {
        String org = "org-states";
        assertState(org, State.VENDOR_BILLING);

        String a = openAliyun(ZILLIZ, at(1), false);
        Instant t = hour.plusSeconds(60);
        binding(a, t, new SubscriptionBound(org, ZILLIZ, "1880000000000001", "u-admin", null),
                new BillingChannelChanged(org, "MARKETPLACE", "aliyun", "1880000000000001"));
        JsonNode b = assertState(org, State.MARKETPLACE);
        assertThat(b.path("instanceId").asString()).isEqualTo(a.substring("aliyun:".length()));
        assertThat(b.path("marketplaceAccountId").asString()).isEqualTo("1880000000000001");
        assertThat(b.path("marketplaceBill").asString()).startsWith("https://usercenter2.aliyun.com/");

        binding(a, t.plusSeconds(60), new OrgFrozen(org, "SUBSCRIPTION_FROZEN"));
        b = assertState(org, State.FROZEN);
        assertThat(b.path("subscriptionId").asString()).as("renewing it unfreezes").isEqualTo(a);
        assertThat(b.path("marketplaceBill").asString()).startsWith("https://");
        binding(a, t.plusSeconds(120), new OrgUnfrozen(org, "SUBSCRIPTION_RESUMED"));
        assertState(org, State.MARKETPLACE);

        binding(a, t.plusSeconds(180), new SubscriptionUnbound(org, ZILLIZ, "1880000000000001", "SUBSCRIPTION_CLOSED",
                null));
        b = assertState(org, State.NONE);
        assertThat(b.path("subscriptionId").isNull()).isTrue();
        assertThat(b.has("marketplaceBill")).isFalse();

        Instant deleteAt = t.plus(Duration.ofDays(3));
        binding(a, t.plusSeconds(240), new DeploymentsStopRequested(org, true, "SUBSCRIPTION_CLOSED"),
                new DeploymentsDeletionScheduled(org, deleteAt));
        b = assertState(org, State.DEPLOYMENTS_STOPPED);
        assertThat(Instant.parse(b.path("deploymentsDeleteAt").asString())).isEqualTo(deleteAt);

        // account B binds; then a late event of A's (another partition, read after B's) changes nothing
        String bSub = openAws(ZILLIZ_AWS, at(1), false);
        String bAccount = bSub.split(":")[1];
        binding(bSub, t.plusSeconds(300), new SubscriptionBound(org, ZILLIZ_AWS, bAccount, "u-admin", a),
                new BillingChannelChanged(org, "MARKETPLACE", "aws", bAccount));
        b = assertState(org, State.MARKETPLACE);
        assertThat(b.path("marketplace").asString()).isEqualTo("aws");
        assertThat(b.path("deploymentsStopped").asBoolean()).isFalse();
        binding(a, t.plusSeconds(360), new OrgFrozen(org, "SUBSCRIPTION_CLOSED"));
        assertThat(assertState(org, State.MARKETPLACE).path("subscriptionId").asString()).isEqualTo(bSub);

        binding(bSub, t.plusSeconds(420), new SubscriptionUnbound(org, ZILLIZ_AWS, bAccount, "UNBOUND_BY_USER", "u-admin"),
                new BillingChannelChanged(org, "VENDOR", null, null));
        b = assertState(org, State.VENDOR_BILLING);
        assertThat(b.path("marketplace").isNull()).isTrue();
    }

    /** Sends binding-service's events over binding.v1 and waits until billing-service has applied them. */
    private void binding(String subscriptionId, Instant at, BindingEvent... events) {
        for (BindingEvent event : events) {
            EventEnvelope e = EventEnvelope.of(UUID.randomUUID(), at, "binding-service", subscriptionId, event);
            sent.add(e);
            send(Topics.BINDING, subscriptionId, codec.encode(e));
            awaitRow("SELECT COUNT(*) FROM processed_event WHERE event_id = '" + e.eventId() + "'");
        }
    }

    private JsonNode assertState(String org, State expected) {
        OrganizationBilling folded = OrganizationBilling.INITIAL;
        for (EventEnvelope e : sent) {
            folded = folded.apply(e, (BindingEvent) e.payload());
        }
        OrganizationBilling record = folded;
        JsonNode billing = await().atMost(Duration.ofSeconds(10)).until(() -> read(getAs("member-of-" + org,
                "/api/billing/organizations/" + org + "/overview").body()).path("billing"), Objects::nonNull);
        assertThat(billing.path("state").asString()).isEqualTo(expected.name());
        assertThat(record.state()).as("the fold binding-service's record is").isEqualTo(expected);
        assertThat(billing.path("channel").asString()).isEqualTo(record.channel());
        assertThat(text(billing, "marketplace")).isEqualTo(record.marketplace());
        assertThat(text(billing, "marketplaceAccountId")).isEqualTo(record.marketplaceAccountId());
        assertThat(text(billing, "subscriptionId")).isEqualTo(record.subscriptionId());
        assertThat(billing.path("frozen").asBoolean()).isEqualTo(record.frozen());
        assertThat(billing.path("deploymentsStopped").asBoolean()).isEqualTo(record.deploymentsStopped());
        return billing;
    }

    private static String text(JsonNode node, String field) {
        return node.path(field).isNull() || node.path(field).isMissingNode() ? null : node.path(field).asString();
    }
}
