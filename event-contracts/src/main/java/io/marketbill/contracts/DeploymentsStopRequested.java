package io.marketbill.contracts;

/**
 * The vendor must stop the organization's running deployments: nothing pays for them any more (R12).
 *
 * @param organizationId the organization
 * @param exceptTrial    trial deployments keep running until their trial ends
 * @param reason         {@code SUBSCRIPTION_CLOSED}
 */
public record DeploymentsStopRequested(String organizationId, boolean exceptTrial, String reason)
        implements BindingEvent {
}
