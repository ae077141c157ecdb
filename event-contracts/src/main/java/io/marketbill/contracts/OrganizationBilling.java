package io.marketbill.contracts;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * How an organization pays, as its {@code binding.v1} events say: the one reading of those events that
 * binding-service's organization record and billing-service's overview both give, so that the two never disagree
 * about an organization (R10). A pure fold: {@link #INITIAL}, then {@link #apply} for each event about the
 * organization.
 *
 * <p>Events are keyed by subscription, so a consumer may read the events of two subscriptions of one organization
 * in another order than binding-service wrote them. The fold does not depend on it: every {@link SubscriptionBound}
 * decides the whole state by itself (an organization is bound only when nothing else pays for it, and binding
 * unfreezes it, restarts what was stopped and makes the marketplace pay), and every other event belongs to the
 * subscription bound last before it. So an event of a subscription other than the last one bound, or a
 * {@code SubscriptionBound} older than the last one, is stale and changes nothing.
 *
 * @param channel              {@code MARKETPLACE}, {@code VENDOR} (the vendor's own billing) or {@code NONE} (no one
 *                             pays: after a close, until another subscription is bound or the close action runs)
 * @param marketplace          {@code aliyun} or {@code aws} while a marketplace pays, else null
 * @param marketplaceAccountId the paying account while a marketplace pays, else null
 * @param subscriptionId       the subscription bound to it now, else null
 * @param frozen               frozen (R13): its subscription was suspended, or closed for a product that freezes
 * @param deploymentsStopped   its deployments were stopped after a close (R12)
 * @param deploymentsDeleteAt  when the stopped deployments are deleted, once scheduled
 * @param lastBoundSubscriptionId the subscription bound last (still bound or not): the events it causes apply
 * @param lastBoundAt          when it was bound (times are kept to the microsecond, as the databases keep them)
 */
public record OrganizationBilling(String channel, String marketplace, String marketplaceAccountId,
                                  String subscriptionId, boolean frozen, boolean deploymentsStopped,
                                  Instant deploymentsDeleteAt, String lastBoundSubscriptionId, Instant lastBoundAt) {

    public static final String MARKETPLACE = "MARKETPLACE";
    public static final String VENDOR = "VENDOR";
    public static final String NONE = "NONE";

    /** What an organization that was never bound pays through: the vendor's own billing. */
    public static final OrganizationBilling INITIAL = new OrganizationBilling(VENDOR, null, null, null, false, false,
            null, null, null);

    /** The state an operator or a member is shown, most pressing first. */
    public enum State {
        /** frozen: usable again once its subscription is renewed or another is bound */
        FROZEN,
        /** deployments stopped, deleted at {@link #deploymentsDeleteAt()} unless a subscription is bound before */
        DEPLOYMENTS_STOPPED,
        /** a marketplace subscription pays for it */
        MARKETPLACE,
        /** the vendor's own billing */
        VENDOR_BILLING,
        /** no one pays for it now: its subscription closed and the switch grace period runs */
        NONE
    }

    public State state() {
        if (frozen) {
            return State.FROZEN;
        }
        if (deploymentsStopped) {
            return State.DEPLOYMENTS_STOPPED;
        }
        return switch (channel) {
            case MARKETPLACE -> State.MARKETPLACE;
            case VENDOR -> State.VENDOR_BILLING;
            default -> State.NONE;
        };
    }

    /**
     * The state after one event about this organization.
     *
     * @param envelope the event's envelope: the subscription it is about and when it happened
     */
    public OrganizationBilling apply(EventEnvelope envelope, BindingEvent event) {
        String sub = envelope.subscriptionId();
        if (!(event instanceof SubscriptionBound) && !sub.equals(lastBoundSubscriptionId)) {
            return this;
        }
        return switch (event) {
            case SubscriptionBound b -> lastBoundAt != null && micros(envelope.occurredAt()).isBefore(lastBoundAt)
                    ? this
                    : new OrganizationBilling(MARKETPLACE, SubscriptionIds.marketplaceOf(sub).id(),
                            b.marketplaceAccountId(), sub, false, false, null, sub, micros(envelope.occurredAt()));
            // a close or a deleted organization leaves no one paying until another subscription is bound or the
            // close action runs; an admin who unbinds goes back to the vendor's billing at once
            case SubscriptionUnbound u -> "UNBOUND_BY_USER".equals(u.reason())
                    ? with(VENDOR, null, null, null)
                    : with(NONE, null, null, null);
            case OrgFrozen _ -> new OrganizationBilling(channel, marketplace, marketplaceAccountId, subscriptionId,
                    true, deploymentsStopped, deploymentsDeleteAt, lastBoundSubscriptionId, lastBoundAt);
            case OrgUnfrozen _ -> new OrganizationBilling(channel, marketplace, marketplaceAccountId, subscriptionId,
                    false, deploymentsStopped, deploymentsDeleteAt, lastBoundSubscriptionId, lastBoundAt);
            case DeploymentsStopRequested _ -> new OrganizationBilling(NONE, null, null, subscriptionId, frozen, true,
                    deploymentsDeleteAt, lastBoundSubscriptionId, lastBoundAt);
            case DeploymentsDeletionScheduled d -> new OrganizationBilling(channel, marketplace, marketplaceAccountId,
                    subscriptionId, frozen, true, micros(d.deleteAt()), lastBoundSubscriptionId, lastBoundAt);
            case DeploymentsDeletionReminder _ -> this;
            // bound again in time: the fold's SubscriptionBound already restarted what was stopped; this says so
            case DeploymentsDeletionCancelled _ -> new OrganizationBilling(channel, marketplace, marketplaceAccountId,
                    subscriptionId, frozen, false, null, lastBoundSubscriptionId, lastBoundAt);
            case BillingChannelChanged c -> MARKETPLACE.equals(c.channel())
                    ? with(MARKETPLACE, c.marketplace(), c.marketplaceAccountId(), subscriptionId)
                    : with(c.channel(), null, null, subscriptionId);
        };
    }

    private static Instant micros(Instant at) {
        return at == null ? null : at.truncatedTo(ChronoUnit.MICROS);
    }

    private OrganizationBilling with(String channel, String marketplace, String account, String subscriptionId) {
        return new OrganizationBilling(channel, marketplace, account, subscriptionId, frozen, deploymentsStopped,
                deploymentsDeleteAt, lastBoundSubscriptionId, lastBoundAt);
    }
}
