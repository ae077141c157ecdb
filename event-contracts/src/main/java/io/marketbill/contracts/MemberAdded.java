package io.marketbill.contracts;

/**
 * @param organizationId the organization
 * @param userId         the vendor's user id (the {@code sub} of the user's token)
 * @param role           {@code ADMIN} or {@code MEMBER}
 * @param email          the user's email address, when known
 * @param name           the user's display name, when known
 * @param language       the user's language, {@code zh-CN} or {@code en}, when known
 */
public record MemberAdded(String organizationId, String userId, String role, String email, String name,
                          String language) implements DirectoryEvent {
}
