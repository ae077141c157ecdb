package io.marketbill.binding.bindings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketbill.binding.BindingServiceTestBase;
import io.marketbill.binding.bindings.Bindings.Decision;
import io.marketbill.binding.bindings.Bindings.Proof;
import io.marketbill.contracts.BillingChannelChanged;
import io.marketbill.contracts.DeploymentsDeletionCancelled;
import io.marketbill.contracts.DeploymentsDeletionReminder;
import io.marketbill.contracts.DeploymentsDeletionScheduled;
import io.marketbill.contracts.DeploymentsStopRequested;
import io.marketbill.contracts.EventEnvelope;
import io.marketbill.contracts.OrgFrozen;
import io.marketbill.contracts.OrgUnfrozen;
import io.marketbill.contracts.OrganizationDeleted;
import io.marketbill.contracts.SubscriptionBound;
import io.marketbill.contracts.SubscriptionClosed;
import io.marketbill.contracts.SubscriptionFrozen;
import io.marketbill.contracts.SubscriptionResumed;
import io.marketbill.contracts.SubscriptionUnbound;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** R5-R16: each rule and each refusal, against the real database; events checked as published on binding.v1. */
class BindingRulesTest extends BindingServiceTestBase {

    @Autowired BindingAudit audit;
    @Autowired JdbcClient jdbc;

    private Decision bind(String user, String sub, String org) {
        return bindings.bind(user, sub, org, Proof.LOGIN_TICKET, null);
    }

    private static <T> T last(String sub, Class<T> type) {
        return events(sub).stream().map(EventEnvelope::payload).filter(type::isInstance).map(type::cast)
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " for " + sub
                        + " in " + eventTypes(sub)));
    }

    private static void awaitEvents(String sub, String... types) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(eventTypes(sub)).containsExactly(types));
    }

    @Test
    void anAdminBindsAndTheOrganizationPaysThroughTheMarketplace() {
        String alice = unique("u-alice");
        String org = organization("Acme", alice);
        String sub = opened(ZILLIZ, "1880001");

        Decision d = bind(alice, sub, org);

        assertThat(d.bound()).isTrue();
        assertThat(d.binding().organizationId()).isEqualTo(org);
        awaitEvents(sub, "SubscriptionBound", "BillingChannelChanged");
        assertThat(last(sub, SubscriptionBound.class)).isEqualTo(new SubscriptionBound(org, ZILLIZ, "1880001", alice,
                null));
        assertThat(last(sub, BillingChannelChanged.class)).isEqualTo(new BillingChannelChanged(org, "MARKETPLACE",
                "aliyun", "1880001"));
        // binding again (free login clicked again, R9): the same binding, nothing new published
        Decision again = bind(alice, sub, org);
        assertThat(again.bound()).isTrue();
        assertThat(again.alreadyBound()).isTrue();
        assertThat(again.binding().bindingId()).isEqualTo(d.binding().bindingId());
        assertThat(audit.find(sub, null, null, 10)).extracting(BindingAudit.Entry::outcome).contains("BOUND");
    }

    @Test
    void aMemberWhoIsNotAnAdminGetsInsufficientPermission() {
        String admin = unique("u-admin");
        String bob = unique("u-bob");
        String org = organization("Acme", admin, bob);
        String sub = opened(ZILLIZ, "1880002");

        Decision d = bind(bob, sub, org);

        assertThat(d.refusal()).isEqualTo(Refusal.INSUFFICIENT_PERMISSION);
        assertThat(bindings.activeBindingsOf(sub)).isEmpty();
        assertThat(audit.find(sub, org, bob, 10)).singleElement()
                .satisfies(e -> assertThat(e.outcome()).isEqualTo("REFUSED"))
                .satisfies(e -> assertThat(e.reason()).isEqualTo("insufficient_permission"));
    }

    @Test
    void aUserWithoutOrganizationsOrOutsideTheOrganizationIsRefused() {
        String sub = opened(ZILLIZ, "1880003");
        String nobody = unique("u-nobody");
        assertThat(bind(nobody, sub, "org-x").refusal()).isEqualTo(Refusal.NO_ORGANIZATION);
        assertThat(bindings.choices(nobody, sub).refusal()).isEqualTo(Refusal.NO_ORGANIZATION);

        String carol = unique("u-carol");
        organization("Carol's", carol);
        String other = organization("Someone else's", unique("u-other"));
        assertThat(bind(carol, sub, other).refusal()).isEqualTo(Refusal.NOT_A_MEMBER);
    }

    @Test
    void unknownClosedOrUnconfiguredSubscriptionsCannotBeBound() {
        String alice = unique("u-alice");
        String org = organization("Acme", alice);
        assertThat(bind(alice, "aliyun:never-opened", org).refusal()).isEqualTo(Refusal.SUBSCRIPTION_UNKNOWN);

        String closed = opened(ZILLIZ, "1880004");
        lifecycle(closed, new SubscriptionClosed(false, null, "RELEASED"));
        assertThat(bind(alice, closed, org).refusal()).isEqualTo(Refusal.SUBSCRIPTION_NOT_BINDABLE);

        String frozen = opened(ZILLIZ, "1880004");
        lifecycle(frozen, new SubscriptionFrozen("EXPIRED", null));
        assertThat(bind(alice, frozen, org).refusal()).isEqualTo(Refusal.SUBSCRIPTION_NOT_BINDABLE);

        String unconfigured = opened("cmgj-not-configured", "1880004");
        assertThat(bind(alice, unconfigured, org).refusal()).isEqualTo(Refusal.PRODUCT_NOT_CONFIGURED);
    }

    @Test
    void zillizOneSubscriptionPerOrganizationAndEachOrganizationItsOwn() {
        String alice = unique("u-alice");
        String org1 = organization("Zilliz org 1", alice);
        String org2 = organization("Zilliz org 2", alice);
        String s1 = opened(ZILLIZ, "1880005");
        String s2 = opened(ZILLIZ, "1880005");
        assertThat(bind(alice, s1, org1).bound()).isTrue();

        Decision sameOrg = bind(alice, s2, org1);
        assertThat(sameOrg.refusal()).isEqualTo(Refusal.ALREADY_BOUND);
        assertThat(sameOrg.detail()).contains(s1);
        Decision sameSubscription = bind(alice, s1, org2);
        assertThat(sameSubscription.refusal()).isEqualTo(Refusal.ALREADY_BOUND);
        // which organization it pays for is not told: the one asking may be no member of it (review finding 22)
        assertThat(sameSubscription.detail()).doesNotContain(org1).contains("another organization");
        // a user may hold several organizations, each bound to its own subscription (R8)
        assertThat(bind(alice, s2, org2).bound()).isTrue();

        // every organization the user administers is bound: the page says "already bound" for each (R7)
        String s3 = opened(ZILLIZ, "1880005");
        assertThat(bindings.choices(alice, s3).options()).allSatisfy(o -> {
            assertThat(o.bindable()).isFalse();
            assertThat(o.reason()).isEqualTo(Refusal.ALREADY_BOUND);
        });
        assertThat(bindings.choices(alice, s3).anyBindable()).isFalse();
    }

    @Test
    void emqxOneMarketplaceAccountToExactlyOneVendorAccountAndBack() {
        String alice = unique("u-alice");
        String org1 = organization("EMQX account 1", alice);
        String org2 = organization("EMQX account 2", alice);
        String accountA = unique("aliA");
        String accountB = unique("aliB");
        String a1 = opened(EMQX, accountA);
        assertThat(bind(alice, a1, org1).bound()).isTrue();

        // account A is linked to org1: another subscription of A cannot pay for org2
        String a2 = opened(EMQX, accountA);
        assertThat(bind(alice, a2, org2).refusal()).isEqualTo(Refusal.ACCOUNT_LINKED_ELSEWHERE);
        // and org1, linked to A, cannot be paid by account B, even once A's subscription is unbound
        assertThat(bindings.unbind(alice, false, a1, org1).bound()).isTrue();
        String b1 = opened(EMQX, accountB);
        assertThat(bind(alice, b1, org1).refusal()).isEqualTo(Refusal.ACCOUNT_LINKED_ELSEWHERE);
        // the same pair binds again
        assertThat(bind(alice, a2, org1).bound()).isTrue();
        assertThat(bind(alice, b1, org2).bound()).isTrue();
    }

    @Test
    void guanceOneAccountPaysForManyWorkspacesAndBindsWithAccountAndInstanceId() {
        String alice = unique("u-alice");
        String ws1 = organization("Guance workspace cn1", alice);
        String ws2 = organization("Guance workspace cn4", alice);
        String sub = opened(GUANCE, "1990001");
        assertThat(bindings.bind(alice, sub, ws1, Proof.ACCOUNT_AND_INSTANCE_ID, "1990001").bound()).isTrue();
        assertThat(bindings.bind(alice, sub, ws2, Proof.ACCOUNT_AND_INSTANCE_ID, " 1990001 ").bound()).isTrue();
        assertThat(bindings.activeBindingsOf(sub)).extracting(Bindings.Binding::organizationId)
                .containsExactlyInAnyOrder(ws1, ws2);

        String ws3 = organization("Guance workspace 3", alice);
        assertThat(bindings.bind(alice, sub, ws3, Proof.ACCOUNT_AND_INSTANCE_ID, "1990002").refusal())
                .isEqualTo(Refusal.ACCOUNT_MISMATCH);
        // products that bind only from the marketplace's link refuse the account-and-instance proof
        String zilliz = opened(ZILLIZ, "1990001");
        assertThat(bindings.bind(alice, zilliz, ws3, Proof.ACCOUNT_AND_INSTANCE_ID, "1990001").refusal())
                .isEqualTo(Refusal.PROOF_NOT_ACCEPTED);
        // a ticket for another account is refused too
        assertThat(bindings.bind(alice, zilliz, ws3, Proof.LOGIN_TICKET, "someone-else").refusal())
                .isEqualTo(Refusal.ACCOUNT_MISMATCH);
    }

    @Test
    void anAdminUnbindsAndTheOrganizationFallsBackToTheVendorsBilling() {
        String alice = unique("u-alice");
        String bob = unique("u-bob");
        String org = organization("Acme", alice, bob);
        String sub = opened(ZILLIZ, "1880006");
        bind(alice, sub, org);

        assertThat(bindings.unbind(bob, false, sub, org).refusal()).isEqualTo(Refusal.INSUFFICIENT_PERMISSION);
        Decision d = bindings.unbind(alice, false, sub, org);
        assertThat(d.bound()).isTrue();
        assertThat(d.binding().unbindReason()).isEqualTo("UNBOUND_BY_USER");
        assertThat(bindings.unbind(alice, false, sub, org).refusal()).isEqualTo(Refusal.NOT_BOUND);
        awaitEvents(sub, "SubscriptionBound", "BillingChannelChanged", "SubscriptionUnbound", "BillingChannelChanged");
        assertThat(last(sub, SubscriptionUnbound.class).unboundBy()).isEqualTo(alice);
        assertThat(last(sub, BillingChannelChanged.class).channel()).isEqualTo("VENDOR");
    }

    @Test
    void emqxClosedStopsNonTrialDeploymentsAndSchedulesTheirDeletionAfterTheGracePeriod() {
        String alice = unique("u-alice");
        String org = organization("EMQX", alice);
        String sub = opened(EMQX, unique("ali"));
        bind(alice, sub, org);
        Instant closedAt = Instant.now();
        lifecycle(sub, new SubscriptionClosed(false, null, "RELEASED"));

        // unbound at once; stop and deletion only once the switch grace period (2 s here) has passed
        awaitEvents(sub, "SubscriptionBound", "BillingChannelChanged", "SubscriptionUnbound",
                "DeploymentsStopRequested", "DeploymentsDeletionScheduled");
        assertThat(last(sub, SubscriptionUnbound.class).reason()).isEqualTo("SUBSCRIPTION_CLOSED");
        Instant deleteAt = last(sub, DeploymentsDeletionScheduled.class).deleteAt();
        assertThat(last(sub, DeploymentsStopRequested.class)).isEqualTo(new DeploymentsStopRequested(org, true,
                "SUBSCRIPTION_CLOSED", deleteAt));
        EventEnvelope stop = events(sub).get(3);
        assertThat(stop.occurredAt()).isAfterOrEqualTo(closedAt.plusSeconds(2));
        assertThat(Duration.between(stop.occurredAt(), deleteAt)).isEqualTo(Duration.ofDays(3));
        // the unbinding said what would happen, and when
        SubscriptionUnbound unbound = last(sub, SubscriptionUnbound.class);
        assertThat(unbound.closeAction()).isEqualTo("STOP_DEPLOYMENTS");
        assertThat(unbound.closeActionAt()).isEqualTo(events(sub).get(2).occurredAt().plusSeconds(2));
    }

    @Test
    void emqxBoundAgainBeforeTheDeletionTimeKeepsTheDeploymentsAndIsRemindedOtherwise() {
        String alice = unique("u-alice");
        String kept = organization("EMQX kept", alice);
        String account = unique("ali");
        String first = opened(EMQX_SHORT_DELETION, account);
        bind(alice, first, kept);
        lifecycle(first, new SubscriptionClosed(false, null, "RELEASED"));
        awaitEvents(first, "SubscriptionBound", "BillingChannelChanged", "SubscriptionUnbound",
                "DeploymentsStopRequested", "DeploymentsDeletionScheduled");

        // the buyer subscribes again with the same account within the deletion grace period (5 s here)
        String again = opened(EMQX_SHORT_DELETION, account);
        bind(alice, again, kept);
        awaitEvents(again, "SubscriptionBound", "DeploymentsDeletionCancelled", "BillingChannelChanged");
        assertThat(last(again, DeploymentsDeletionCancelled.class))
                .isEqualTo(new DeploymentsDeletionCancelled(kept, "SUBSCRIPTION_BOUND"));
        assertThat(jdbc.sql("SELECT deployments_stopped FROM organization WHERE organization_id = :o")
                .param("o", kept).query(Boolean.class).single()).isFalse();

        // another organization, not bound again: reminded once, 3 s before its deletion, then forgotten
        String bob = unique("u-bob");
        String lost = organization("EMQX lost", bob);
        String other = opened(EMQX_SHORT_DELETION, unique("ali"));
        bind(bob, other, lost);
        lifecycle(other, new SubscriptionClosed(false, null, "RELEASED"));
        await().atMost(Duration.ofSeconds(20)).until(() -> audited(lost, "DELETION_DUE"));
        awaitEvents(other, "SubscriptionBound", "BillingChannelChanged", "SubscriptionUnbound",
                "DeploymentsStopRequested", "DeploymentsDeletionScheduled", "DeploymentsDeletionReminder");
        Instant deleteAt = last(other, DeploymentsDeletionScheduled.class).deleteAt();
        assertThat(last(other, DeploymentsDeletionReminder.class))
                .isEqualTo(new DeploymentsDeletionReminder(lost, deleteAt));
        assertThat(events(other).getLast().occurredAt()).isAfterOrEqualTo(deleteAt.minusSeconds(3))
                .isBefore(deleteAt);
        assertThat(audited(kept, "DELETION_DUE")).isFalse();
        assertThat(eventTypes(again)).doesNotContain("DeploymentsDeletionReminder");
    }

    private boolean audited(String organizationId, String action) {
        return jdbc.sql("SELECT COUNT(*) FROM binding_audit WHERE organization_id = :o AND action = :a")
                .param("o", organizationId).param("a", action).query(Long.class).single() > 0;
    }

    @Test
    void aDeletedOrganizationReleasesItsAccountLink() {
        String alice = unique("u-alice");
        String first = organization("EMQX first", alice);
        String account = unique("ali");
        String sub = opened(EMQX, account);
        bind(alice, sub, first);
        directory.record(new OrganizationDeleted(first));
        // the account starts again with another vendor account: before, linked to the deleted one for good
        String second = organization("EMQX second", alice);
        String again = opened(EMQX, account);
        assertThat(bindings.bind(alice, again, second, Bindings.Proof.LOGIN_TICKET, null).bound()).isTrue();
        assertThat(audited(first, "RELEASE_ACCOUNT_LINK")).isTrue();
    }

    @Test
    void guanceClosedFallsBackToTheVendorsOwnBillingForEveryWorkspace() {
        String alice = unique("u-alice");
        String ws1 = organization("ws1", alice);
        String ws2 = organization("ws2", alice);
        String sub = opened(GUANCE, unique("ali"));
        bind(alice, sub, ws1);
        bind(alice, sub, ws2);
        lifecycle(sub, new SubscriptionClosed(true, null, "RELEASED"));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(events(sub).stream()
                .map(EventEnvelope::payload).filter(p -> p instanceof BillingChannelChanged c
                        && c.channel().equals("VENDOR")).map(p -> ((BillingChannelChanged) p).organizationId()))
                .containsExactlyInAnyOrder(ws1, ws2));
        assertThat(eventTypes(sub)).doesNotContain("DeploymentsStopRequested", "OrgFrozen");
    }

    @Test
    void guanceFallsBackAtOnceNamingEveryWorkspaceAndAFrozenOneIsUnfrozen() {
        String alice = unique("u-alice");
        String ws1 = organization("ws1", alice);
        String ws2 = organization("ws2", alice);
        String sub = opened(GUANCE, unique("ali"));
        bind(alice, sub, ws1);
        bind(alice, sub, ws2);
        lifecycle(sub, new SubscriptionFrozen("EXPIRED", null));
        Instant closedAt = Instant.now();
        lifecycle(sub, new SubscriptionClosed(false, null, "RELEASED"), closedAt, "gateway-service");

        // in the close's own transaction: no hour in which the workspaces pay through no one
        for (String ws : List.of(ws1, ws2)) {
            assertThat(jdbc.sql("SELECT billing_channel || ' ' || frozen FROM organization WHERE organization_id = :o")
                    .param("o", ws).query(String.class).single()).as(ws).isEqualTo("VENDOR false");
        }
        awaitEvents(sub, "SubscriptionBound", "BillingChannelChanged", "SubscriptionBound", "BillingChannelChanged",
                "OrgFrozen", "OrgFrozen", "SubscriptionUnbound", "SubscriptionUnbound", "OrgUnfrozen",
                "BillingChannelChanged", "OrgUnfrozen", "BillingChannelChanged");
        List<BillingChannelChanged> fellBack = events(sub).stream().map(EventEnvelope::payload)
                .filter(p -> p instanceof BillingChannelChanged c && "VENDOR".equals(c.channel()))
                .map(BillingChannelChanged.class::cast).toList();
        assertThat(fellBack).extracting(BillingChannelChanged::organizationId).containsExactly(ws1, ws2);
        assertThat(fellBack).extracting(BillingChannelChanged::fellBackTogether)
                .containsOnly(List.of(ws1, ws2));
        assertThat(events(sub).stream().map(EventEnvelope::payload).filter(p -> p instanceof OrgUnfrozen)
                .map(OrgUnfrozen.class::cast).toList())
                .containsExactly(new OrgUnfrozen(ws1, "VENDOR_BILLING"), new OrgUnfrozen(ws2, "VENDOR_BILLING"));
        assertThat(events(sub).stream().map(EventEnvelope::payload).filter(p -> p instanceof SubscriptionUnbound)
                .map(SubscriptionUnbound.class::cast).toList()).allSatisfy(u -> {
                    assertThat(u.closeAction()).isEqualTo("VENDOR_BILLING");
                    assertThat(u.closeActionAt()).isEqualTo(closedAt);
                });
    }

    @Test
    void zillizFrozenFreezesTheOrganizationResumedUnfreezesIt() {
        String alice = unique("u-alice");
        String org = organization("Zilliz", alice);
        String sub = opened(ZILLIZ, unique("ali"));
        bind(alice, sub, org);
        lifecycle(sub, new SubscriptionFrozen("EXPIRED", null));
        lifecycle(sub, new SubscriptionFrozen("EXPIRED", null));
        lifecycle(sub, new SubscriptionResumed(null, null));

        awaitEvents(sub, "SubscriptionBound", "BillingChannelChanged", "OrgFrozen", "OrgUnfrozen");
        assertThat(last(sub, OrgFrozen.class)).isEqualTo(new OrgFrozen(org, "SUBSCRIPTION_FROZEN"));
        assertThat(last(sub, OrgUnfrozen.class)).isEqualTo(new OrgUnfrozen(org, "SUBSCRIPTION_RESUMED"));
    }

    // subscription-service derives the resume of a renewed frozen subscription (and the freeze of a refunded renewal)
    // and publishes it from its outbox, while the gateway publishes the marketplace's next call directly: on the
    // topic, a release right after a renewal can come before the resume the renewal caused

    @Test
    void aResumeThatHappenedBeforeTheCloseButCameAfterItStillUnfreezesTheOrganization() {
        BoundZilliz bound = boundZilliz();
        String alice = bound.user(), org = bound.organization(), sub = bound.subscription();
        Instant frozenAt = Instant.now();
        lifecycle(sub, new SubscriptionFrozen("EXPIRED", null), frozenAt, "gateway-service");
        lifecycle(sub, new SubscriptionClosed(false, null, "RELEASED"), frozenAt.plusSeconds(2), "gateway-service");
        lifecycle(sub, new SubscriptionResumed(null, null), frozenAt.plusSeconds(1), "subscription-service");

        assertThat(frozen(org)).isFalse();
        awaitEvents(sub, "SubscriptionBound", "BillingChannelChanged", "OrgFrozen", "SubscriptionUnbound",
                "OrgUnfrozen");
        assertThat(last(sub, OrgUnfrozen.class)).isEqualTo(new OrgUnfrozen(org, "SUBSCRIPTION_RESUMED"));
    }

    @Test
    void aFreezeThatHappenedBeforeTheCloseButCameAfterItStillFreezesTheOrganization() {
        BoundZilliz bound = boundZilliz();
        String alice = bound.user(), org = bound.organization(), sub = bound.subscription();
        Instant refundedAt = Instant.now();
        lifecycle(sub, new SubscriptionClosed(false, null, "RELEASED"), refundedAt.plusSeconds(1), "gateway-service");
        lifecycle(sub, new SubscriptionFrozen("RENEWAL_REFUNDED", null), refundedAt, "subscription-service");

        assertThat(frozen(org)).isTrue();
        awaitEvents(sub, "SubscriptionBound", "BillingChannelChanged", "SubscriptionUnbound", "OrgFrozen");
    }

    @Test
    void aResumeAfterTheCloseOrOnceAnotherSubscriptionPaysChangesNothing() {
        BoundZilliz bound = boundZilliz();
        String alice = bound.user(), org = bound.organization(), sub = bound.subscription();
        Instant frozenAt = Instant.now();
        lifecycle(sub, new SubscriptionFrozen("EXPIRED", null), frozenAt, "gateway-service");
        lifecycle(sub, new SubscriptionClosed(false, null, "RELEASED"), frozenAt.plusSeconds(1), "gateway-service");
        // a resume of a closed subscription (the marketplace repeating itself) is no resume of the organization
        lifecycle(sub, new SubscriptionResumed(null, null), frozenAt.plusSeconds(2), "gateway-service");
        assertThat(frozen(org)).isTrue();

        // within the switch grace period another subscription pays for it: the old one's late resume is not its own
        String other = opened(ZILLIZ, unique("ali"));
        bind(alice, other, org);
        lifecycle(other, new SubscriptionFrozen("EXPIRED", null));
        lifecycle(sub, new SubscriptionResumed(null, null), frozenAt.plusMillis(500), "subscription-service");
        assertThat(frozen(org)).isTrue();
        awaitEvents(sub, "SubscriptionBound", "BillingChannelChanged", "OrgFrozen", "SubscriptionUnbound");
        awaitEvents(other, "SubscriptionBound", "OrgUnfrozen", "BillingChannelChanged", "OrgFrozen");
    }

    private record BoundZilliz(String user, String organization, String subscription) {}

    private BoundZilliz boundZilliz() {
        String alice = unique("u-alice");
        String org = organization("Zilliz", alice);
        String sub = opened(ZILLIZ, unique("ali"));
        bind(alice, sub, org);
        return new BoundZilliz(alice, org, sub);
    }

    private boolean frozen(String organizationId) {
        return jdbc.sql("SELECT frozen FROM organization WHERE organization_id = :org").param("org", organizationId)
                .query(Boolean.class).single();
    }

    @Test
    void zillizClosedWithoutAReplacementFreezesTheOrganizationAndAResubscribeUnfreezesIt() {
        String alice = unique("u-alice");
        String org = organization("Zilliz", alice);
        String account = unique("ali");
        String first = opened(ZILLIZ_SHORT_GRACE, account);
        bind(alice, first, org);
        lifecycle(first, new SubscriptionClosed(false, null, "RELEASED"));
        awaitEvents(first, "SubscriptionBound", "BillingChannelChanged", "SubscriptionUnbound", "OrgFrozen");
        assertThat(last(first, OrgFrozen.class).reason()).isEqualTo("SUBSCRIPTION_CLOSED");

        // R13, R16: subscribing again works like subscribing, and the organization is unfrozen
        String again = opened(ZILLIZ_SHORT_GRACE, account);
        assertThat(bind(alice, again, org).bound()).isTrue();
        awaitEvents(again, "SubscriptionBound", "OrgUnfrozen", "BillingChannelChanged");
        assertThat(last(again, OrgUnfrozen.class).reason()).isEqualTo("SUBSCRIPTION_BOUND");
        assertThat(last(again, SubscriptionBound.class).previousSubscriptionId()).isNull();
    }

    @Test
    void switchingThePayingAccountWithinTheGracePeriodStopsAndFreezesNothing() {
        String alice = unique("u-alice");
        String org = organization("Zilliz", alice);
        String a = opened(ZILLIZ, unique("aliA"));
        bind(alice, a, org);
        lifecycle(a, new SubscriptionClosed(false, null, "RELEASED"));
        String bAccount = unique("aliB");
        String b = opened(ZILLIZ, bAccount);

        Decision d = bind(alice, b, org);

        assertThat(d.bound()).isTrue();
        assertThat(d.binding().previousSubscriptionId()).isEqualTo(a);
        awaitEvents(b, "SubscriptionBound", "BillingChannelChanged");
        assertThat(last(b, SubscriptionBound.class).previousSubscriptionId()).isEqualTo(a);
        // R15: the billing page shows the new account
        assertThat(last(b, BillingChannelChanged.class).marketplaceAccountId()).isEqualTo(bAccount);
        // nothing is left to fire when the grace period ends
        assertThat(jdbc.sql("SELECT count(*) FROM pending_close_action WHERE organization_id = :org")
                .param("org", org).query(Long.class).single()).isZero();
        assertThat(eventTypes(a)).containsExactly("SubscriptionBound", "BillingChannelChanged", "SubscriptionUnbound");
    }

    @Test
    void aDeletedOrganizationIsUnbound() {
        String alice = unique("u-alice");
        String org = organization("Short-lived", alice);
        String sub = opened(ZILLIZ, unique("ali"));
        bind(alice, sub, org);
        directory.record(new OrganizationDeleted(org));

        awaitEvents(sub, "SubscriptionBound", "BillingChannelChanged", "SubscriptionUnbound");
        assertThat(last(sub, SubscriptionUnbound.class).reason()).isEqualTo("ORGANIZATION_DELETED");
        assertThat(bindings.choices(alice, sub).refusal()).isEqualTo(Refusal.NO_ORGANIZATION);
    }

    @Test
    void everyDecisionIsAudited() {
        String alice = unique("u-alice");
        String bob = unique("u-bob");
        String org = organization("Audited", alice, bob);
        String sub = opened(ZILLIZ, unique("ali"));
        bind(bob, sub, org);
        bind(alice, sub, org);
        bindings.unbind(alice, false, sub, org);

        List<BindingAudit.Entry> log = audit.find(sub, null, null, 10);
        assertThat(log).extracting(e -> e.actor() + " " + e.action() + " " + e.outcome())
                .containsExactly(alice + " UNBIND UNBOUND", alice + " BIND BOUND", bob + " BIND REFUSED");
        assertThat(log).allSatisfy(e -> {
            assertThat(e.organizationId()).isEqualTo(org);
            assertThat(e.at()).isNotNull();
        });
    }
}
