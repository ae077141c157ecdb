package io.marketbill.binding.bindings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketbill.binding.BindingServiceTestBase;
import io.marketbill.binding.bindings.Bindings.Proof;
import io.marketbill.binding.directory.Directory;
import io.marketbill.contracts.BindingEvent;
import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.OrganizationBilling.State;
import io.marketbill.contracts.OrganizationBilling;
import io.marketbill.contracts.SubscriptionClosed;
import io.marketbill.contracts.SubscriptionFrozen;
import io.marketbill.contracts.SubscriptionResumed;
import io.marketbill.testsupport.Http;
import io.marketbill.testsupport.TestTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The organization record names the real state at every step of each product's story (R10-R15), and says what the
 * events it published say: the record equals the fold of the binding.v1 events read back from Kafka, the fold
 * billing-service's overview applies. The expected states are the rules', written here.
 */
class OrganizationStatesTest extends BindingServiceTestBase {

    @Autowired Directory directoryRecords;

    @Test
    void emqxBoundFrozenResumedClosedStoppedAndBoundAgain() {
        String alice = unique("u-alice");
        String org = organization("EMQX", alice);
        String account = unique("ali");
        String first = opened(EMQX, account);
        assertRecord(org, State.VENDOR_BILLING, List.of(first));

        bind(alice, first, org);
        OrganizationBilling b = assertRecord(org, State.MARKETPLACE, List.of(first));
        assertThat(b.marketplace()).isEqualTo("aliyun");
        assertThat(b.marketplaceAccountId()).isEqualTo(account);
        assertThat(b.subscriptionId()).isEqualTo(first);

        lifecycle(first, new SubscriptionFrozen("EXPIRED", null));
        assertThat(assertRecord(org, State.FROZEN, List.of(first)).subscriptionId()).isEqualTo(first);
        lifecycle(first, new SubscriptionResumed(null, null));
        assertRecord(org, State.MARKETPLACE, List.of(first));

        Instant closedAt = Instant.now();
        lifecycle(first, new SubscriptionClosed(false, null, "RELEASED"));
        b = assertRecord(org, State.NONE, List.of(first));
        assertThat(b.subscriptionId()).isNull();
        assertThat(b.marketplaceAccountId()).isNull();

        // EMQX stops deployments once its 2 s switch grace period has passed, and deletes them 3 days later
        await().atMost(Duration.ofSeconds(20)).until(() -> directoryRecords.organization(org).orElseThrow().state()
                == State.DEPLOYMENTS_STOPPED);
        b = assertRecord(org, State.DEPLOYMENTS_STOPPED, List.of(first));
        assertThat(b.deploymentsDeleteAt()).isAfterOrEqualTo(closedAt.plus(Duration.ofDays(3)).plusSeconds(2))
                .isBeforeOrEqualTo(Instant.now().plus(Duration.ofDays(3)));

        String again = opened(EMQX, account);
        bind(alice, again, org);
        b = assertRecord(org, State.MARKETPLACE, List.of(first, again));
        assertThat(b.subscriptionId()).isEqualTo(again);
        assertThat(b.deploymentsStopped()).isFalse();
        assertThat(b.deploymentsDeleteAt()).isNull();

        // what members and operators read
        String body = Http.request(port, "GET", "/api/bindings/organizations/" + org, null, "Authorization",
                TestTokens.bearer(TestTokens.user(alice))).body();
        assertThat(body).contains("\"state\":\"MARKETPLACE\"").contains("\"subscriptionId\":\"" + again + "\"")
                .contains("\"marketplaceAccountId\":\"" + account + "\"");
    }

    @Test
    void zillizClosedIsFrozenAfterTheGraceThenBoundAgainThenUnboundByItsAdmin() {
        String alice = unique("u-alice");
        String org = organization("Zilliz", alice);
        String account = unique("ali");
        String first = opened(ZILLIZ_SHORT_GRACE, account);
        bind(alice, first, org);
        lifecycle(first, new SubscriptionClosed(false, null, "RELEASED"));
        assertRecord(org, State.NONE, List.of(first));
        await().atMost(Duration.ofSeconds(20)).until(() -> directoryRecords.organization(org).orElseThrow().state()
                == State.FROZEN);
        assertThat(assertRecord(org, State.FROZEN, List.of(first)).channel()).isEqualTo(OrganizationBilling.NONE);

        String again = opened(ZILLIZ_SHORT_GRACE, unique("ali"));
        bind(alice, again, org);
        assertRecord(org, State.MARKETPLACE, List.of(first, again));
        assertThat(bindings.unbind(alice, false, again, org).bound()).isTrue();
        OrganizationBilling b = assertRecord(org, State.VENDOR_BILLING, List.of(first, again));
        assertThat(b.subscriptionId()).isNull();
        assertThat(b.marketplace()).isNull();
    }

    @Test
    void guanceClosedLeavesEveryWorkspaceUnpaidThenOnTheVendorsBilling() {
        String alice = unique("u-alice");
        String ws1 = organization("ws1", alice);
        String ws2 = organization("ws2", alice);
        String sub = opened(GUANCE, unique("ali"));
        bindings.bind(alice, sub, ws1, Proof.LOGIN_TICKET, null);
        bindings.bind(alice, sub, ws2, Proof.LOGIN_TICKET, null);
        assertRecord(ws1, State.MARKETPLACE, List.of(sub));
        assertRecord(ws2, State.MARKETPLACE, List.of(sub));
        lifecycle(sub, new SubscriptionClosed(true, null, "RELEASED"));
        await().atMost(Duration.ofSeconds(20)).until(() -> directoryRecords.organization(ws2).orElseThrow().state()
                == State.VENDOR_BILLING);
        assertRecord(ws1, State.VENDOR_BILLING, List.of(sub));
        assertRecord(ws2, State.VENDOR_BILLING, List.of(sub));
    }

    private void bind(String user, String sub, String org) {
        assertThat(bindings.bind(user, sub, org, Proof.LOGIN_TICKET, null).bound()).isTrue();
    }

    /**
     * The record is in the expected state and equals the fold of the events it published once they are on the
     * topic, the events of the subscriptions read one subscription after another (the order a consumer of several
     * partitions may see). A close action due meanwhile may move both on: they must then agree again.
     */
    private OrganizationBilling assertRecord(String org, State expected, List<String> subscriptions) {
        Directory.Organization record = directoryRecords.organization(org).orElseThrow();
        assertThat(record.state()).as("state of %s", org).isEqualTo(expected);
        assertThat(record.billing().state()).isEqualTo(expected);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            OrganizationBilling now = directoryRecords.organization(org).orElseThrow().billing();
            OrganizationBilling folded = OrganizationBilling.INITIAL;
            for (String sub : subscriptions.reversed()) {
                for (EventEnvelope e : events(sub)) {
                    if (e.payload() instanceof BindingEvent event && event.organizationId().equals(org)) {
                        folded = folded.apply(e, event);
                    }
                }
            }
            assertThat(folded).as("fold of the published events").isEqualTo(now);
        });
        return record.billing();
    }
}
