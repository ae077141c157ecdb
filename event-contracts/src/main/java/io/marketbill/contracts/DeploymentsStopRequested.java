package io.marketbill.contracts;

import java.time.Instant;

/**
 * The vendor must stop the organization's running deployments: nothing pays for them any more (R12).
 *
 * @param organizationId the organization
 * @param exceptTrial    trial deployments keep running until their trial ends
 * @param reason         {@code SUBSCRIPTION_CLOSED}
 * @param deleteAt       when the stopped deployments will be deleted unless a subscription is bound before (the
 *                       {@link DeploymentsDeletionScheduled} that follows says the same); null in events written
 *                       before it existed
 */
public record DeploymentsStopRequested(String organizationId, boolean exceptTrial, String reason, Instant deleteAt)
        implements BindingEvent {

    public DeploymentsStopRequested(String organizationId, boolean exceptTrial, String reason) {
        this(organizationId, exceptTrial, reason, null);
    }
}
