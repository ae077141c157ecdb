package io.marketbill.contracts;

/**
 * The organization was closed; a subscription bound to it is unbound.
 *
 * @param organizationId the organization
 */
public record OrganizationDeleted(String organizationId) implements DirectoryEvent {
}
