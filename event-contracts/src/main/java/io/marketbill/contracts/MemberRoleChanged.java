package io.marketbill.contracts;

/**
 * @param organizationId the organization
 * @param userId         the member
 * @param role           the new role, {@code ADMIN} or {@code MEMBER}
 */
public record MemberRoleChanged(String organizationId, String userId, String role) implements DirectoryEvent {
}
