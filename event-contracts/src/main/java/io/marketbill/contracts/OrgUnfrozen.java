package io.marketbill.contracts;

/**
 * The vendor may unfreeze the organization.
 *
 * @param organizationId the organization
 * @param reason         {@code SUBSCRIPTION_RESUMED} (the marketplace resumed it), {@code SUBSCRIPTION_BOUND} (a
 *                       subscription was bound to the frozen organization)
 */
public record OrgUnfrozen(String organizationId, String reason) implements BindingEvent {
}
