package io.marketbill.contracts;

import java.time.Instant;

/**
 * The organization's stopped deployments are still to be deleted at {@code deleteAt}: the reminder before it (R12),
 * sent once, {@code marketbill.products.<code>.deletion-reminder} ahead.
 *
 * @param organizationId the organization
 * @param deleteAt       when they are deleted (UTC)
 */
public record DeploymentsDeletionReminder(String organizationId, Instant deleteAt) implements BindingEvent {
}
