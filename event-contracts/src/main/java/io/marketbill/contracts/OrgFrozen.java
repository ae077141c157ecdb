package io.marketbill.contracts;

/**
 * The vendor must freeze the organization: its marketplace subscription is suspended (R13).
 *
 * @param organizationId the organization
 * @param reason         {@code SUBSCRIPTION_FROZEN} (the marketplace suspended it), {@code SUBSCRIPTION_CLOSED}
 *                       (closed, for products whose policy freezes on close)
 */
public record OrgFrozen(String organizationId, String reason) implements BindingEvent {
}
