package io.marketbill.contracts;

/**
 * What binding-service decided and what the vendor's platform must do about it; on {@link Topics#BINDING},
 * keyed by the subscription the decision is about. Each names the organization (or workspace) concerned.
 */
public sealed interface BindingEvent extends EventPayload permits SubscriptionBound, SubscriptionUnbound, OrgFrozen,
        OrgUnfrozen, DeploymentsStopRequested, DeploymentsDeletionScheduled, DeploymentsDeletionReminder,
        DeploymentsDeletionCancelled, BillingChannelChanged {

    String organizationId();
}
