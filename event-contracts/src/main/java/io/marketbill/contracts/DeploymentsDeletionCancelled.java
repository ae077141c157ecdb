package io.marketbill.contracts;

/**
 * The scheduled deletion of the organization's stopped deployments is off: a subscription was bound to the
 * organization before the deletion time (R12), so the vendor keeps them and may start them again.
 *
 * @param organizationId the organization
 * @param reason         {@code SUBSCRIPTION_BOUND}
 */
public record DeploymentsDeletionCancelled(String organizationId, String reason) implements BindingEvent {
}
