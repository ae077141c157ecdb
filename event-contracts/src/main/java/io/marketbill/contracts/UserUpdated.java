package io.marketbill.contracts;

/**
 * A user's contact details or language changed (key: the user id).
 *
 * @param userId   the user
 * @param email    the email address
 * @param name     the display name
 * @param language {@code zh-CN} or {@code en}
 */
public record UserUpdated(String userId, String email, String name, String language) implements DirectoryEvent {
}
