package io.marketbill.contracts;

/**
 * The vendor may unfreeze the organization.
 *
 * @param organizationId the organization
 * @param reason         {@code SUBSCRIPTION_RESUMED} (the marketplace resumed it), {@code SUBSCRIPTION_BOUND} (a
 *                       subscription was bound to the frozen organization), {@code VENDOR_BILLING} (its closed
 *                       subscription returned it to the vendor's own billing, which does not freeze it)
 */
public record OrgUnfrozen(String organizationId, String reason) implements BindingEvent {
}
