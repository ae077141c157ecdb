package io.marketbill.contracts;

/**
 * @param organizationId the vendor's organization (or workspace) id
 * @param name           its display name
 * @param site           the vendor's site or region it lives on (Guance workspaces span sites), else null
 */
public record OrganizationCreated(String organizationId, String name, String site) implements DirectoryEvent {
}
