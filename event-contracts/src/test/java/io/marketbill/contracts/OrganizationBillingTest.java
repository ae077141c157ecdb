package io.marketbill.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketbill.contracts.OrganizationBilling.State;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The fold that binding-service's organization record and billing-service's overview share. The oracle is a small
 * model of the rules (R10-R15) written here, not the fold: it plays random stories the way binding-service decides
 * them, emitting the events binding-service emits, and knows the state each story must end in.
 */
class OrganizationBillingTest {

    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void aClosedSubscriptionLeavesNoOnePayingThenItsCloseActionDecides() {
        Story s = new Story();
        s.bind("aliyun:i-1", "acct-1");
        assertThat(s.fold().state()).isEqualTo(State.MARKETPLACE);
        assertThat(s.fold().marketplace()).isEqualTo("aliyun");
        assertThat(s.fold().marketplaceAccountId()).isEqualTo("acct-1");
        assertThat(s.fold().subscriptionId()).isEqualTo("aliyun:i-1");
        s.close();
        assertThat(s.fold().state()).isEqualTo(State.NONE);
        assertThat(s.fold().subscriptionId()).isNull();
        s.closeAction(Action.STOP);
        assertThat(s.fold().state()).isEqualTo(State.DEPLOYMENTS_STOPPED);
        assertThat(s.fold().deploymentsDeleteAt()).isEqualTo(s.lastDeleteAt);
        s.bind("aws:111122223333:l-1", "111122223333");
        assertThat(s.fold().state()).isEqualTo(State.MARKETPLACE);
        assertThat(s.fold().marketplace()).isEqualTo("aws");
        assertThat(s.fold().deploymentsDeleteAt()).isNull();
    }

    @Test
    void frozenWinsOverEverythingUntilResumedOrRebound() {
        Story s = new Story();
        assertThat(s.fold()).isEqualTo(OrganizationBilling.INITIAL);
        assertThat(s.fold().state()).isEqualTo(State.VENDOR_BILLING);
        s.bind("aliyun:i-1", "acct-1");
        s.freeze();
        assertThat(s.fold().state()).isEqualTo(State.FROZEN);
        assertThat(s.fold().subscriptionId()).isEqualTo("aliyun:i-1");
        s.resume();
        assertThat(s.fold().state()).isEqualTo(State.MARKETPLACE);
        s.close();
        s.closeAction(Action.FREEZE);
        assertThat(s.fold().state()).isEqualTo(State.FROZEN);
        s.bind("aliyun:i-2", "acct-1");
        assertThat(s.fold().state()).isEqualTo(State.MARKETPLACE);
        s.userUnbind();
        assertThat(s.fold().state()).isEqualTo(State.VENDOR_BILLING);
        assertThat(s.fold().marketplace()).isNull();
    }

    @Test
    void aStaleEventOfTheSubscriptionBoundBeforeChangesNothing() {
        Story s = new Story();
        s.bind("aliyun:i-1", "acct-1");
        s.close();
        s.closeAction(Action.FREEZE);
        s.bind("aliyun:i-2", "acct-2");
        // a consumer that reads i-2's partition first, then i-1's
        OrganizationBilling state = OrganizationBilling.INITIAL;
        List<Emitted> reordered = new ArrayList<>(s.events.stream().filter(e -> e.sub().equals("aliyun:i-2")).toList());
        reordered.addAll(s.events.stream().filter(e -> e.sub().equals("aliyun:i-1")).toList());
        for (Emitted e : reordered) {
            state = state.apply(e.envelope(), e.event());
        }
        assertThat(state).isEqualTo(s.fold());
        assertThat(state.state()).isEqualTo(State.MARKETPLACE);
        assertThat(state.marketplaceAccountId()).isEqualTo("acct-2");
    }

    /**
     * Any story, read in any order that keeps each subscription's events in order (one Kafka partition each), ends
     * in the state the rules say.
     */
    @Property(tries = 500)
    void anyStoryReadInAnyPartitionOrderEndsInTheStateTheRulesSay(
            @ForAll @Size(max = 40) List<@IntRange(min = 0, max = 7) Integer> steps, @ForAll long seed) {
        Story s = new Story();
        for (int step : steps) {
            s.play(step);
        }
        assertThat(s.fold().state()).as("in order").isEqualTo(s.expected());
        assertThat(s.fold().subscriptionId()).isEqualTo(s.bound);

        Map<String, List<Emitted>> bySubscription = new LinkedHashMap<>();
        s.events.forEach(e -> bySubscription.computeIfAbsent(e.sub(), k -> new ArrayList<>()).add(e));
        List<List<Emitted>> queues = new ArrayList<>(bySubscription.values());
        Random random = new Random(seed);
        OrganizationBilling state = OrganizationBilling.INITIAL;
        while (!queues.isEmpty()) {
            List<Emitted> q = queues.get(random.nextInt(queues.size()));
            Emitted e = q.removeFirst();
            state = state.apply(e.envelope(), e.event());
            if (q.isEmpty()) {
                queues.remove(q);
            }
        }
        assertThat(state).as("in partition order").isEqualTo(s.fold());
    }

    enum Action { STOP, FREEZE, VENDOR }

    record Emitted(String sub, EventEnvelope envelope, BindingEvent event) {
    }

    /** A model of one organization as binding-service decides for it, and the events it emits. */
    static final class Story {
        final List<Emitted> events = new ArrayList<>();
        Instant now = T0;
        String bound;
        String pendingClose;
        String lastBound;
        int subscriptions;
        boolean frozen;
        boolean stopped;
        String channel = "VENDOR";
        Instant lastDeleteAt;

        /** 0-1 bind a new subscription, 2 re-bind the last one if it is still open, 3 freeze, 4 resume, 5 close,
         * 6 the close action (by turns), 7 an admin unbinds */
        void play(int step) {
            switch (step) {
                case 0, 1 -> {
                    if (bound == null) {
                        subscriptions++;
                        bind((subscriptions % 2 == 0 ? "aws:111122223333:l-" : "aliyun:i-") + subscriptions,
                                "acct-" + subscriptions % 3);
                    }
                }
                case 2 -> {
                    if (bound == null && lastBound != null && pendingClose == null && !closed.contains(lastBound)) {
                        bind(lastBound, "acct-again");
                    }
                }
                case 3 -> freeze();
                case 4 -> resume();
                case 5 -> close();
                case 6 -> closeAction(Action.values()[events.size() % 3]);
                default -> userUnbind();
            }
        }

        final List<String> closed = new ArrayList<>();

        void bind(String sub, String account) {
            tick();
            emit(sub, new SubscriptionBound("org-1", "p", account, "u-1", pendingClose));
            if (frozen) {
                emit(sub, new OrgUnfrozen("org-1", "SUBSCRIPTION_BOUND"));
            }
            emit(sub, new BillingChannelChanged("org-1", "MARKETPLACE", sub.substring(0, sub.indexOf(':')), account));
            bound = sub;
            lastBound = sub;
            pendingClose = null;
            frozen = false;
            stopped = false;
            channel = "MARKETPLACE";
        }

        void freeze() {
            if (bound != null && !frozen) {
                tick();
                emit(bound, new OrgFrozen("org-1", "SUBSCRIPTION_FROZEN"));
                frozen = true;
            }
        }

        void resume() {
            if (bound != null && frozen) {
                tick();
                emit(bound, new OrgUnfrozen("org-1", "SUBSCRIPTION_RESUMED"));
                frozen = false;
            }
        }

        void close() {
            if (bound != null) {
                tick();
                emit(bound, new SubscriptionUnbound("org-1", "p", "acct", "SUBSCRIPTION_CLOSED", null));
                closed.add(bound);
                pendingClose = bound;
                bound = null;
                channel = "NONE";
            }
        }

        void closeAction(Action action) {
            if (pendingClose == null) {
                return;
            }
            tick();
            switch (action) {
                case STOP -> {
                    lastDeleteAt = now.plus(Duration.ofDays(7));
                    emit(pendingClose, new DeploymentsStopRequested("org-1", true, "SUBSCRIPTION_CLOSED"));
                    emit(pendingClose, new DeploymentsDeletionScheduled("org-1", lastDeleteAt));
                    stopped = true;
                }
                case FREEZE -> {
                    if (!frozen) {
                        emit(pendingClose, new OrgFrozen("org-1", "SUBSCRIPTION_CLOSED"));
                    }
                    frozen = true;
                }
                case VENDOR -> {
                    emit(pendingClose, new BillingChannelChanged("org-1", "VENDOR", null, null));
                    channel = "VENDOR";
                }
            }
            pendingClose = null;
        }

        void userUnbind() {
            if (bound != null) {
                tick();
                emit(bound, new SubscriptionUnbound("org-1", "p", "acct", "UNBOUND_BY_USER", "u-1"));
                emit(bound, new BillingChannelChanged("org-1", "VENDOR", null, null));
                bound = null;
                channel = "VENDOR";
            }
        }

        State expected() {
            if (frozen) {
                return State.FROZEN;
            }
            if (stopped) {
                return State.DEPLOYMENTS_STOPPED;
            }
            return switch (channel) {
                case "MARKETPLACE" -> State.MARKETPLACE;
                case "VENDOR" -> State.VENDOR_BILLING;
                default -> State.NONE;
            };
        }

        OrganizationBilling fold() {
            OrganizationBilling state = OrganizationBilling.INITIAL;
            for (Emitted e : events) {
                state = state.apply(e.envelope(), e.event());
            }
            return state;
        }

        private void tick() {
            now = now.plusSeconds(1);
        }

        private void emit(String sub, BindingEvent event) {
            events.add(new Emitted(sub, EventEnvelope.of(UUID.randomUUID(), now, "binding-service", sub, event), event));
        }
    }
}
