package io.marketbill.contracts;

/**
 * @param organizationId the organization
 * @param name           its new name
 */
public record OrganizationRenamed(String organizationId, String name) implements DirectoryEvent {
}
