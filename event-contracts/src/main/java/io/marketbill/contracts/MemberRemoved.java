package io.marketbill.contracts;

/**
 * @param organizationId the organization
 * @param userId         the user who left it or was removed
 */
public record MemberRemoved(String organizationId, String userId) implements DirectoryEvent {
}
